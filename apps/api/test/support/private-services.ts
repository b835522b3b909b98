import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';

const run = promisify(execFile);

/**
 * Private Redis and PostgreSQL servers for fault tests: each on a free loopback port of its
 * own, so that a test may stop, kill and restart them while other test files (and other
 * people) keep using the shared servers on 5432 and 6379, which these helpers never touch.
 */

/** A port nobody listens on right now (the kernel picks it; it is released before we use it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Ends the server (SIGKILL by default: a crash, nothing saved; it keeps no data anyway). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, empty, as a Redis without persistence comes back. */
  start(): Promise<void>;
  /** Stops it for good. */
  close(): Promise<void>;
}

/** `redis-server` on a free port, without persistence, as a child of this process. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await until(
      async () => {
        const probe = new Redis(url, {
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
          lazyConnect: true,
        });
        probe.on('error', () => {});
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          probe.disconnect();
        }
      },
      `redis-server on ${port}`,
      10_000,
    );
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  await start();
  return {
    url,
    port,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    stop,
    start,
    close: () => stop('SIGKILL'),
  };
}

export interface PrivatePostgres {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  port: number;
  /** A new database on this server, its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart`: `fast` disconnects everyone cleanly, `immediate` is a crash with recovery. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

const pgBin = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL tool as the `postgres` OS user when we are root (initdb and postgres refuse root). */
async function asPostgres(tool: string, args: string[]): Promise<void> {
  const command = join(pgBin, tool);
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
  else await run(command, args);
}

/** Why a private PostgreSQL cannot run here, or undefined when it can. */
export async function privatePostgresUnavailable(): Promise<string | undefined> {
  try {
    await run(join(pgBin, 'initdb'), ['--version']);
  } catch {
    return `no initdb under ${pgBin} (set TEST_PG_BIN)`;
  }
  if (process.getuid?.() === 0) {
    try {
      await run('runuser', ['-u', 'postgres', '--', 'true']);
    } catch {
      return 'running as root without a `postgres` OS user to run initdb as';
    }
  }
  return undefined;
}

/**
 * A PostgreSQL cluster of its own: `initdb` into a temporary folder, `pg_ctl start` on a
 * free loopback port, trust authentication, fsync off (a test's data need not survive a power cut).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'qunfa-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const start = async () => {
    await asPostgres('pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    port,
    async createDatabase(name) {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      await admin.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async restart(mode = 'fast') {
      await stop(mode);
      await start();
    },
    stop,
    start,
    async close() {
      await stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
