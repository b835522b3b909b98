import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgDialect, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { pgliteStartFault } from './faults.js';
import * as schema from './schema/index.js';

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

const initdbScript = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));

/**
 * A new folder's cluster is made by a child process. In this one, PGlite's initdb starts a
 * second PostgreSQL and the initdb program, each with WebAssembly memory of its own, and keeps
 * a 128 MiB copy of one (restored before each of initdb's runs): RSS 52 → 647 MB at the open,
 * peak 739 MB, ~350 MB of it garbage until a full collection, which a quiet server may not run
 * for a long time. In a child it all goes when the child exits, and this process opens the
 * folder as an existing one. When the child fails (a full disk, say), what it left is removed
 * and the open runs initdb itself, reporting what went wrong.
 */
async function initdbApart(dataDir: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  if (readdirSync(dataDir).length > 0) return;
  const code = await new Promise<number | null>((resolve) => {
    const child = fork(initdbScript, [dataDir, ...PGLITE_CONF], { execArgv: [], stdio: 'ignore' });
    child.once('error', () => resolve(null));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code === 0) return;
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
}

/** Opens the database and runs the checked-in migrations. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      // Every session without JIT: the planner's cost estimates of a settlement or a plan over a
      // big campaign pass jit_above_cost, and compiling their expressions cost far more than it
      // saved — one 1M-recipient pipeline run spent 336 s of backend CPU with JIT against 67 s
      // without (bench/pipeline, same run, alternated). The statements are short and repeated.
      connection: { jit: 'off' },
    });
    const db = drizzlePostgres({ client, schema });
    await migratePostgres(db, { migrationsFolder });
    return { db: db as unknown as Db, driver: 'postgres', close: () => client.end({ timeout: 5 }) };
  }
  // Loaded only when used: PGlite's module alone is ~50 MB of a PostgreSQL worker's resident memory.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const dataDir = options.dataDir ?? '.data/pglite';
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await initdbApart(dataDir);
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

/** Most distinct statements `preparedRows` prepares; past it, statements run unnamed (see there). */
const MAX_PREPARED_TEXTS = 200;
const preparedTexts = new Set<string>();

/**
 * `rows`, as a named prepared statement: PostgreSQL parses it once per connection and each run is
 * one round trip, where an unnamed statement with parameters costs two (postgres.js asks for the
 * parameters' types before it binds them) and is parsed and planned every time. For hot statements
 * whose text does not vary (the values in parameters — arrays, JSON — never in the text): every
 * distinct text stays prepared on each pooled connection for its life, so past
 * `MAX_PREPARED_TEXTS` texts in this process the next ones run unnamed instead of growing that
 * without bound. PGlite runs it as `rows` would.
 */
export async function preparedRows<T>(db: Pick<Db, '_' | 'execute'>, query: SQL): Promise<T[]> {
  const dialect = (db as unknown as { dialect: PgDialect }).dialect;
  const built = dialect.sqlToQuery(query);
  if (!preparedTexts.has(built.sql)) {
    if (preparedTexts.size >= MAX_PREPARED_TEXTS) return rows<T>(db, query);
    preparedTexts.add(built.sql);
  }
  // drizzle's postgres-js session prepares (postgres.js names and caches the statement by its text)
  // when given any name; the name itself is not used.
  const result = (await db._.session.prepareQuery(built, undefined, 'prepared', false).execute()) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
