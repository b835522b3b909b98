import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { pgliteStartFault } from './faults.js';
import * as schema from './schema/index.js';
import { type SilenceWatch, watchSilence } from './silent-connections.js';

/** The one handle type above both drivers. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite stores its data under `dataDir`. */
  url?: string;
  /** PGlite folder, default `.data/pglite`; `memory://` keeps it in memory. */
  dataDir?: string;
  /** Connections in the PostgreSQL pool. Default 10. */
  poolSize?: number;
  /** PostgreSQL: our sessions' `statement_timeout`; 0 (the default) leaves the server's. */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL: our sessions' `idle_in_transaction_session_timeout`. Default 60 000: none of our
   * transactions waits on anything but the database, so one left idle that long belongs to a
   * process that hung or lost its connection, and its row locks (a batch, a counter shard) would
   * hold up every worker. 0 leaves the server's.
   */
  idleInTransactionTimeoutMs?: number;
  /**
   * PostgreSQL: a pooled connection with a request outstanding that has heard nothing for this
   * long is checked from a connection of its own and, unless its backend is still running the
   * statement, destroyed so the pool opens another (see silent-connections.ts). Default 15 000;
   * 0 turns the check off. Plain TCP only (not with TLS, nor several hosts).
   */
  silenceMs?: number;
  /** Told when a silent connection was ended. */
  onSilentConnection?: (reason: string, backendPid: number | undefined) => void;
}

/** TCP keepalive probes start after this many seconds idle (postgres.js's default is 60). */
const KEEP_ALIVE_SECONDS = 10;

/**
 * The silent-connection check for a postgres.js client on `url` (its `socket` option), or
 * undefined when it is off (`silenceMs` 0) or cannot read the connections (TLS, several hosts).
 */
export function silenceWatchFor(
  url: string,
  silenceMs = 15_000,
  onEnded?: (reason: string, backendPid: number | undefined) => void,
): SilenceWatch | undefined {
  if (silenceMs <= 0 || !plainSingleHost(url)) return undefined;
  return watchSilence(url, { silenceMs, ...(onEnded ? { onEnded } : {}) });
}

/** Whether postgres.js would speak TLS or reach several hosts on this URL: the silence check then stays out. */
function plainSingleHost(url: string): boolean {
  const query = url.split('?')[1] ?? '';
  const params = new URLSearchParams(query);
  const ssl = params.get('sslmode') ?? params.get('ssl') ?? process.env.PGSSLMODE ?? process.env.PGSSL;
  const authority = url.replace(/^[a-z]+:\/\//i, '').split(/[/?]/)[0] ?? '';
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return (ssl === undefined || ssl === 'disable' || ssl === 'false') && !hosts.includes(',');
}

let memoryTemplate: Blob | undefined;

/**
 * PGlite runs PostgreSQL inside this process, in WebAssembly memory that grows and never gives
 * anything back. Its default 128 MB of shared buffers took the memory from 128 to 197 MB at the
 * start; 16 MB keeps it at 134 MB (RSS 493 → 390 MB, a folder of a million rows, opened again).
 * The pages are cached by the operating system anyway: PGlite reads and writes real files.
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

/**
 * In-memory PGlite databases opened after this start from `template` — a data directory a
 * migrated PGlite dumped with `dumpDataDir` — instead of running initdb and every migration
 * (≈ 4 s of CPU each; loading a dump is ≈ 1.5 s). The checked-in migrations still run after
 * it, so a template that is behind costs only the steps it misses. The test suite sets one
 * per run; `undefined` goes back to empty databases.
 */
export function startMemoryDatabasesFrom(template: Blob | undefined): void {
  memoryTemplate = template;
}

/** Opens the database and runs the checked-in migrations. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const watch = silenceWatchFor(options.url, options.silenceMs, options.onSilentConnection);
    const statementTimeoutMs = options.statementTimeoutMs ?? 0;
    const idleInTransactionMs = options.idleInTransactionTimeoutMs ?? 60_000;
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      keep_alive: KEEP_ALIVE_SECONDS,
      connection: {
        ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
        ...(idleInTransactionMs > 0 ? { idle_in_transaction_session_timeout: idleInTransactionMs } : {}),
      },
      ...(watch ? { socket: watch.socket } : {}),
    });
    const db = drizzlePostgres({ client, schema });
    await migratePostgres(db, { migrationsFolder });
    return {
      db: db as unknown as Db,
      driver: 'postgres',
      close: async () => {
        await client.end({ timeout: 5 });
        await watch?.close();
      },
    };
  }
  // Loaded only when used: PGlite's module alone is ~50 MB of a PostgreSQL worker's resident memory.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const dataDir = options.dataDir ?? '.data/pglite';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const inMemory = dataDir.startsWith('memory://');
  const fromTemplate = inMemory ? memoryTemplate : undefined;
  const client = await PGlite.create(dataDir, {
    ...(fromTemplate ? { loadDataDir: fromTemplate } : {}),
    postgresqlconf: PGLITE_CONF,
  }).catch((error: unknown) => {
    throw inMemory ? error : pgliteStartFault(dataDir, error);
  });
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder });
  return { db: db as unknown as Db, driver: 'pglite', close: () => client.close() };
}

/** Runs raw SQL and returns its rows, whichever driver answered. */
export async function rows<T>(db: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
