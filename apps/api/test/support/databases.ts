import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';

/** Where tests create their throwaway PostgreSQL databases (the server's maintenance database). */
export const postgresAdminUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Driver = 'pglite' | 'postgres';
export const drivers: Driver[] = ['pglite', 'postgres'];

export interface TestDatabase {
  /** Undefined for PGlite (in memory). */
  url: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file: real PostgreSQL or in-memory PGlite. */
export async function createTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === 'pglite') return { url: undefined, dataDir: 'memory://', drop: async () => {} };
  const name = `qunfa_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
  // A copy of the run's migrated template (see global-setup.ts): migrations then find nothing to do.
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir: 'memory://',
    drop: async () => {
      const a = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * Puts a copy of the run's migrated PGlite folder (see global-setup.ts) where an app or a process
 * given `dataDir` opens its database (`<dataDir>/pglite`): it starts on an existing, migrated
 * database instead of running initdb and every migration (~10 CPU s a folder). Not for a test
 * whose subject is a new folder (pglite-new-folder.test.ts). Returns `dataDir`.
 */
export function withMigratedPglite(dataDir: string): string {
  cpSync(inject('pgliteTemplateFolder'), join(dataDir, 'pglite'), { recursive: true });
  return dataDir;
}
