import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/database.js';
import { postgresAdminUrl } from './databases.js';

const migrationsFolder = new URL('../../drizzle/', import.meta.url);

/** Names both templates: a change to any migration makes new ones, and old ones are never reused. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: URL) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.isDirectory()) walk(new URL(`${entry.name}/`, dir));
      else hash.update(entry.name).update(readFileSync(new URL(entry.name, dir)));
    }
  };
  walk(migrationsFolder);
  return hash.digest('hex').slice(0, 16);
}

/**
 * A migrated PGlite data directory dumped to a file, made once per migration set (a test run
 * after the first reuses it; concurrent runs each write a private file and rename it in place).
 */
export async function pgliteTemplateFile(hash = migrationsHash()): Promise<string> {
  const file = join(tmpdir(), `qunfa-pglite-template-${hash}.tar`);
  if (existsSync(file)) return file;
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    const client = (database.db as unknown as { $client: { dumpDataDir(c: 'none'): Promise<Blob> } }).$client;
    const dump = await client.dumpDataDir('none');
    const partial = `${file}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await database.close();
  }
  return file;
}

/**
 * A migrated PGlite data folder on disk, made once per migration set (as the dump above): a test
 * whose subject is not a new folder copies it (`withMigratedPglite`) instead of running initdb and
 * every migration in a folder of its own, ~10 CPU s each. Made under a private name and renamed,
 * so two runs racing to make it leave one.
 */
export async function pgliteTemplateFolder(hash = migrationsHash()): Promise<string> {
  const folder = join(tmpdir(), `qunfa-pglite-folder-${hash}`);
  if (existsSync(folder)) return folder;
  const partial = `${folder}.${randomBytes(4).toString('hex')}`;
  const database = await openDatabase({ dataDir: partial });
  await database.close();
  try {
    renameSync(partial, folder);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(folder)) throw error;
  }
  return folder;
}

/**
 * A migrated PostgreSQL database marked as a template, for `CREATE DATABASE … TEMPLATE`: copying
 * it is cheaper than running every migration in each test file's fresh database. Made under a
 * private name and renamed, so two runs racing to make it leave one, and nobody connects to it.
 */
export async function postgresTemplateDatabase(hash = migrationsHash()): Promise<string> {
  const name = `qunfa_template_${hash}`;
  const admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
  try {
    const [found] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (found) return name;
    const partial = `qunfa_template_partial_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`CREATE DATABASE ${partial}`);
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${partial}`;
    const database = await openDatabase({ url: url.toString(), poolSize: 1 });
    await database.close();
    try {
      await admin.unsafe(`ALTER DATABASE ${partial} RENAME TO ${name}`);
      await admin.unsafe(`ALTER DATABASE ${name} WITH IS_TEMPLATE true`);
    } catch (error) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${partial}`);
      const [other] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (!other) throw error;
    }
    return name;
  } finally {
    await admin.end();
  }
}
