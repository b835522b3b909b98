import { connect, type Socket } from 'node:net';
import postgres from 'postgres';

/**
 * PostgreSQL's wire protocol, read in the direction it flows: each message is a type byte and
 * a length that counts itself (the client's first message, the startup, has no type byte).
 * Calls `onMessage` with every message's type, and its body for the types `withBody` names.
 */
function frames(
  onMessage: (type: number, body: Buffer | undefined) => void,
  withBody: (type: number) => boolean,
  startsUntyped: boolean,
): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  let untyped = startsUntyped;
  let type = 0;
  let left = 0;
  let body: Buffer[] | undefined;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (left === 0) {
        const need = untyped ? 4 : 5;
        const take = Math.min(need - header.length, chunk.length - i);
        header = Buffer.concat([header, chunk.subarray(i, i + take)]);
        i += take;
        if (header.length < need) return;
        type = untyped ? 0 : header[0]!;
        left = header.readInt32BE(untyped ? 0 : 1) - 4;
        header = Buffer.alloc(0);
        untyped = false;
        body = withBody(type) ? [] : undefined;
        if (left <= 0) {
          left = 0;
          onMessage(type, body && Buffer.alloc(0));
          continue;
        }
      }
      const take = Math.min(left, chunk.length - i);
      body?.push(chunk.subarray(i, i + take));
      i += take;
      left -= take;
      if (left === 0) onMessage(type, body && Buffer.concat(body));
    }
  };
}

const QUERY = 0x51; // 'Q': a simple query, answered up to a ReadyForQuery
const SYNC = 0x53; // 'S' from the client: the end of an extended query, likewise
const READY = 0x5a; // 'Z'
const BACKEND_KEY = 0x4b; // 'K': the backend's process id and cancel key

interface Watched {
  socket: Socket;
  /** The backend serving it, once the server said. */
  pid?: number;
  /** Requests sent (the startup, queries, syncs) not answered yet by a ReadyForQuery. */
  pending: number;
  lastRead: number;
  lastWrite: number;
  checking: boolean;
}

export interface SilenceWatchOptions {
  /** A connection with a request outstanding that has heard and sent nothing for this long is checked. */
  silenceMs: number;
  /** Told of each connection ended, and why (for the log). */
  onEnded?: (reason: string, pid: number | undefined) => void;
}

export interface SilenceWatch {
  /** postgres.js's `socket` option: makes and watches the pool's connections. */
  socket(options: {
    host: string[];
    port: number[];
    path?: string;
    connect_timeout?: number;
  }): Promise<Socket>;
  /** Checks the quiet connections now (the timer does so every quarter of `silenceMs`). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Notices pooled connections whose server went silent — its host gone without a reset (packets
 * dropped, a failover that moved the address), so TCP waits many minutes before it gives up
 * and the pool's queries hang meanwhile — and ends them, so that their queries fail and the pool
 * opens new ones. A connection is suspect when it has a request outstanding and nothing has
 * crossed it either way for `silenceMs`; a long statement is told apart by asking the server on a
 * connection of its own what that backend is doing: still `active`, it is left alone; gone, idle,
 * or the server unreachable within `silenceMs`, the connection is destroyed (and its backend, if
 * the server answers, terminated, so that it holds no row lock a new connection would wait for).
 * Plain TCP only: under TLS the messages cannot be read, and the pool's own socket is used.
 */
export function watchSilence(url: string, options: SilenceWatchOptions): SilenceWatch {
  const watched = new Set<Watched>();
  let probe: postgres.Sql | undefined;
  const probeClient = () => {
    probe ??= postgres(url, {
      max: 1,
      connect_timeout: Math.max(1, Math.ceil(options.silenceMs / 1000)),
      idle_timeout: 60,
      onnotice: () => {},
      connection: { application_name: 'qunfa-silence-check' },
    });
    return probe;
  };
  const end = (w: Watched, reason: string) => {
    watched.delete(w);
    options.onEnded?.(reason, w.pid);
    const error = Object.assign(new Error(`the database connection went silent (${reason})`), {
      code: 'CONNECTION_SILENT',
    });
    // The queries waiting on it fail now with this error; then the socket closes without one, so
    // that postgres.js also fails any query it hands the connection before it hears of the close
    // (it leaves such a query waiting forever after a close with an error).
    if (w.pending > 0) w.socket.emit('error', error);
    w.socket.destroy();
  };

  // Idle connections opened beside a silent one most likely went the same way (a host gone, an
  // address moved), and nothing tells until a query waits on each in turn: they hold no request,
  // so they are ended too, and the pool opens fresh ones as it needs them. (A query handed to one
  // in the instant before its bytes are written fails with it, as it would have on the silent one.)
  const endIdle = () => {
    for (const w of watched) if (w.pending === 0 && !w.checking) end(w, 'idle beside a silent connection');
  };

  const check = async () => {
    const now = Date.now();
    const quiet = [...watched].filter(
      (w) =>
        !w.checking &&
        w.pending > 0 &&
        now - w.lastRead >= options.silenceMs &&
        now - w.lastWrite >= options.silenceMs,
    );
    if (quiet.length === 0) return;
    for (const w of quiet) w.checking = true;
    // A connection that heard from the server while it was being asked about is not silent.
    const stillQuiet = (w: Watched) => watched.has(w) && w.pending > 0 && w.lastRead < now;
    try {
      const pids = quiet.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
      let timer: NodeJS.Timeout | undefined;
      const asked = probeClient()<{ pid: number; state: string | null }[]>`
        SELECT pid, state FROM pg_stat_activity WHERE pid = ANY(${pids}::int[])`;
      asked.catch(() => {});
      const answer = await Promise.race([
        asked,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), options.silenceMs);
        }),
      ]).finally(() => clearTimeout(timer));
      if (!answer) {
        // The server does not answer a new connection either: nothing on these will come back.
        const stale = probe;
        probe = undefined;
        void stale?.end({ timeout: 0 }).catch(() => {});
        for (const w of quiet.filter(stillQuiet)) end(w, 'server unreachable');
        if (quiet.some((w) => !watched.has(w))) endIdle();
        return;
      }
      const states = new Map(answer.map((r) => [r.pid, r.state]));
      const ended: number[] = [];
      for (const w of quiet.filter(stillQuiet)) {
        const state = w.pid === undefined ? undefined : states.get(w.pid);
        if (state === 'active' || state === 'fastpath function call') continue;
        if (state !== undefined && w.pid !== undefined) ended.push(w.pid);
        end(w, state === undefined ? 'backend gone' : `backend ${state}`);
      }
      if (ended.length > 0) {
        await probeClient()`SELECT pg_terminate_backend(pid) FROM unnest(${ended}::int[]) pid`.catch(
          () => {},
        );
      }
      if (quiet.some((w) => !watched.has(w))) endIdle();
    } catch {
      // The next round asks again.
    } finally {
      for (const w of quiet) w.checking = false;
    }
  };
  const timer = setInterval(() => void check(), Math.max(250, Math.floor(options.silenceMs / 4)));
  timer.unref();

  return {
    socket(o) {
      // Handed over at once, connected or not: postgres.js writes its startup (queued until the
      // connection is made), and a refused or timed-out connection reaches it as an error and a
      // close, which is how it reconnects (a rejected promise would leave the connection stuck).
      const socket = o.path
        ? connect(o.path)
        : connect({ host: o.host[0] ?? '127.0.0.1', port: o.port[0] ?? 5432 });
      const now = Date.now();
      const w: Watched = { socket, pending: 0, lastRead: now, lastWrite: now, checking: false };
      const sent = frames(
        (type) => {
          if (type === 0 || type === QUERY || type === SYNC) w.pending++;
        },
        () => false,
        true,
      );
      const heard = frames(
        (type, body) => {
          if (type === READY) w.pending = Math.max(0, w.pending - 1);
          else if (type === BACKEND_KEY && body && body.length >= 4) w.pid = body.readInt32BE(0);
        },
        (type) => type === BACKEND_KEY,
        false,
      );
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((chunk: unknown, ...rest: unknown[]) => {
        w.lastWrite = Date.now();
        if (Buffer.isBuffer(chunk)) sent(chunk);
        else if (typeof chunk === 'string') sent(Buffer.from(chunk));
        return write(chunk, ...rest);
      }) as Socket['write'];
      socket.on('data', (chunk: Buffer) => {
        w.lastRead = Date.now();
        heard(chunk);
      });
      socket.once('close', () => watched.delete(w));
      watched.add(w);
      return Promise.resolve(socket);
    },
    check,
    async close() {
      clearInterval(timer);
      watched.clear();
      await probe?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
