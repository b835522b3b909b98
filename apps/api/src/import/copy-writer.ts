import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Db } from '../db/database.js';
import { type CopyTarget, TARGETS } from './staging.js';

/**
 * Bytes of COPY text waiting for the connection before `send` makes the reader wait, and
 * how few let it go on. Chunks wait as Buffers, outside the JavaScript heap: queued as
 * strings (ropes of thousands of lines, kept alive across collections) they cost the CLI
 * 4.1–4.3 s of CPU for 200,000 rows against 3.4 s as Buffers (four runs alternating,
 * load ~25; 8 MB or 2 MB queued as strings made no difference).
 */
const HIGH_WATER = 2 << 20;
const LOW_WATER = 512 << 10;

type Job =
  | { data: Buffer | Blob; bytes: number; target: CopyTarget }
  | { statement: () => Promise<unknown>; resolve(value: unknown): void; reject(error: Error): void };

/**
 * Streams COPY text into its target tables with `COPY … FROM STDIN` — through postgres.js's
 * COPY stream on PostgreSQL, in chunks through PGlite's `/dev/blob` — behind the reader.
 *
 * Everything goes through one queue on the transaction's connection, in the order it was
 * sent: `send` queues a chunk and returns at once (`undefined`) while less than HIGH_WATER
 * bytes wait, so Node parses the next rows while PostgreSQL writes the ones before.
 * One COPY runs at a time: text for another table ends the running one first, and a queued
 * `statement` runs with no COPY open. Until 2026-12-05 a switch between `contacts` and
 * `contact_identities` (every 256 KB of text) and every id reservation made the reader wait
 * for the server to finish the COPY before it: Node and the backend took turns instead of
 * working at once (1M rows, loaded machine: see bench/import).
 */
export function copyWriter(tx: Db) {
  const client = (tx as unknown as { session: { client: unknown } }).session.client as
    | { unsafe(query: string): Promise<unknown> & { writable(): Promise<Writable> } }
    | { query(query: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };
  let stream: Writable | undefined;
  let open: CopyTarget | undefined;
  let done: Promise<void> | undefined;
  let written: Promise<void> = Promise.resolve();
  let copyError: unknown;
  const jobs: Job[] = [];
  let queued = 0;
  let running: Promise<void> | undefined;
  let failure: Error | undefined;
  let waiting: { resolve(): void; reject(error: Error): void }[] = [];

  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const w of woken) failure ? w.reject(failure) : w.resolve();
  };

  async function write(data: Buffer | Blob, target: CopyTarget): Promise<void> {
    if (!('unsafe' in client)) {
      // `send` made it a Blob: PGlite reads that.
      await client.query(`COPY ${TARGETS[target]} FROM '/dev/blob'`, [], { blob: data as Blob });
      return;
    }
    if (stream && open !== target) await endCopy();
    if (!stream) {
      const query = client.unsafe(`COPY ${TARGETS[target]} FROM STDIN`) as ReturnType<
        typeof client.unsafe
      > & { reject?: (error: unknown) => void };
      // postgres.js (3.4.9) hands an error the server sends after the COPY's last chunk (an
      // identity another writer took, met by the unique index) to the query's `reject`: a
      // no-op, the query having resolved with the stream. Kept here, so the import can say
      // why instead of the 25P02 (transaction aborted) of the statement after it.
      const reject = query.reject;
      if (typeof reject === 'function')
        query.reject = (error: unknown) => {
          copyError = error;
          reject(error);
        };
      const opened = await query.writable();
      stream = opened;
      open = target;
      done = finished(opened);
      // Surfaces through `done`; without a listener an error event would crash the process.
      done.catch(() => undefined);
      // Aborted while the COPY was starting: fail it, so the transaction can roll back.
      if (failure) {
        opened.destroy(failure);
        throw failure;
      }
    }
    const into = stream;
    let ok = true;
    written = new Promise((resolve, reject) => {
      ok = into.write(data as Buffer, (e) => (e ? reject(e) : resolve()));
    });
    written.catch(() => undefined);
    if (!ok) await Promise.race([once(into, 'drain'), done]);
  }

  /** Ends the running COPY, if any, once the server has taken all of it. */
  async function endCopy(): Promise<void> {
    if (!stream || !('unsafe' in client)) return;
    try {
      // postgres.js never finishes the stream when COPY fails after its last chunk (the
      // error reaches a query that has already resolved). So: once every chunk is on the
      // wire and the stream has ended (its final step runs on the next tick), a statement
      // queued behind the COPY settles either way, and fails when the COPY aborted the
      // transaction.
      await written;
      stream.end();
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([done, client.unsafe('SELECT 1')]);
    } catch (error) {
      const cause = (copyError ?? error) as Error;
      copyError = undefined;
      throw new Error(`staging the rows failed: ${cause.message}`, { cause });
    } finally {
      stream = undefined;
    }
  }

  async function pump(): Promise<void> {
    while (jobs.length > 0 && !failure) {
      const job = jobs[0]!;
      try {
        if ('data' in job) await write(job.data, job.target);
        else {
          await endCopy();
          job.resolve(await job.statement());
        }
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        if (!('data' in job)) job.reject(failure);
        break;
      }
      jobs.shift();
      if ('data' in job) {
        queued -= job.bytes;
        if (queued <= LOW_WATER) wake();
      }
    }
    if (failure) {
      for (const job of jobs) if (!('data' in job)) job.reject(failure);
      jobs.length = 0;
      queued = 0;
      wake();
    }
  }
  const kick = () => {
    running ??= pump().finally(() => {
      running = undefined;
      if (jobs.length > 0 && !failure) kick();
    });
  };
  /** Every queued job done (or the queue failed). */
  async function settled(): Promise<void> {
    while (running) await running;
    if (failure) throw failure;
  }

  return {
    /**
     * Queues a chunk of COPY text (whole lines) for `target`. Returns a promise only when the
     * reader must wait (the queue is full, until it is short again) or the writing failed.
     */
    send(text: string, target: CopyTarget = 'rows'): Promise<void> | undefined {
      if (failure) return Promise.reject(failure);
      // PGlite reads a Blob: made from the text at once, the bytes are copied once, not three times
      // (a Buffer, a Uint8Array of it, a Blob of that).
      const data = 'unsafe' in client ? Buffer.from(text) : new Blob([text]);
      const bytes = data instanceof Blob ? data.size : data.length;
      jobs.push({ data, bytes, target });
      queued += bytes;
      kick();
      if (queued <= HIGH_WATER) return undefined;
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    /** Runs a statement after everything queued before it, with no COPY open. */
    statement<T>(run: () => Promise<T>): Promise<T> {
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        jobs.push({ statement: run, resolve: resolve as (v: unknown) => void, reject });
        kick();
      });
    },
    /** Writes everything queued and ends the running COPY: the transaction is free for other statements. */
    async pause(): Promise<void> {
      await settled();
      await endCopy();
    },
    /**
     * Fails the running COPY, if any, after reading failed (an upload cut off, a stop): the
     * connection leaves COPY mode, so the transaction can roll back instead of waiting forever.
     */
    async abort(error: Error): Promise<void> {
      failure ??= error;
      const failing = stream;
      stream = undefined;
      failing?.destroy(error);
      await running?.catch(() => undefined);
      await done?.catch(() => undefined);
    },
  };
}
