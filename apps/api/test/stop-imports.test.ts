import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { Principal } from '../src/auth/roles.js';
import type { AppConfig } from '../src/config.js';
import { openDatabase, rows } from '../src/db/database.js';
import { workspaces } from '../src/db/schema/index.js';
import { startContactImport } from '../src/services/contact-imports.js';
import { createTestDatabase, drivers, withMigratedPglite } from './support/databases.js';
import { testPlugins } from './support/test-app.js';

// Each case starts a whole app (on PGlite, in a copy of a migrated folder): slow on a loaded machine.
const SLOW = 300_000;
const header = '姓名,手机号\n';
const rowsCsv = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `客户${from + i},1380013${String(from + i).padStart(4, '0')}\n`).join(
    '',
  );

async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(drivers)('app.stop() with a contact import in flight (%s)', (driver) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** An app on a database that outlives it, so that what the stop left behind can be read after. */
  async function started(overrides: Partial<AppConfig> = {}) {
    const database = await createTestDatabase(driver);
    // PGlite: a copy of a migrated folder — the subject is the stop, not a new folder's initdb.
    const dataDir = mkdtempSync(join(tmpdir(), 'qunfa-stop-import-'));
    if (!database.url) withMigratedPglite(dataDir);
    cleanups.push(async () => {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const where = database.url ? { url: database.url } : { dataDir: `${dataDir}/pglite` };
    const config: AppConfig = {
      databaseUrl: database.url,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      worker: 'inline',
      workerConcurrency: 2,
      seedDemo: false,
      logLevel: 'silent',
      tickIntervalMs: 50,
      ...overrides,
    };
    const app = await buildApp(config, { plugins: testPlugins(), logger: silentLogger });
    await app.start();
    const [ws] = await app.deps.db.insert(workspaces).values({ name: 'W' }).returning();
    const principal: Principal = { workspaceId: ws!.id, role: 'admin', keyId: 1, keyName: 'test' };
    const upload = new PassThrough();
    upload.write(header + rowsCsv(0, 50));
    const { record, done } = await startContactImport(app.deps, principal, upload, {});
    let settled = false;
    void done.then(
      () => (settled = true),
      () => (settled = true),
    );
    const imported = async () => {
      const db = await openDatabase(where);
      try {
        const [state] = await rows<{ state: string; errors: { reason: string }[] | null }>(
          db.db,
          sql`SELECT state, errors FROM contact_imports WHERE id = ${record.id}`,
        );
        const [contacts] = await rows<{ n: number }>(
          db.db,
          sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws!.id}::bigint`,
        );
        return { ...state!, contacts: contacts!.n };
      } finally {
        await db.close();
      }
    };
    return { app, principal, upload, done, settled: () => settled, imported };
  }

  it(
    'lets an import that finishes within the grace complete, recorded before the database closes',
    async () => {
      const t = await started();
      const stopping = t.app.stop();
      // The upload ends after the stop began: the import is drained, not cut.
      setTimeout(() => t.upload.end(rowsCsv(50, 50)), 200);
      await stopping;
      expect(t.settled()).toBe(true);
      expect(await t.imported()).toMatchObject({ state: 'completed', contacts: 100 });
    },
    SLOW,
  );

  it.each([
    // Grace = a third of the stop deadline: 100 ms.
    ['still reading at the end of the grace', 300],
    // No grace: the abort lands while the import is still opening its transaction (it once
    // threw an uncaught exception and left the stop waiting forever).
    ['caught before it read its upload', 0],
  ])(
    'aborts an import %s: nothing imported, the record says why, the stop ends',
    async (_, stopTimeoutMs) => {
      const t = await started({ stopTimeoutMs });
      await t.app.stop();
      expect(t.settled()).toBe(true);
      const after = await t.imported();
      expect(after).toMatchObject({ state: 'failed', contacts: 0 });
      expect(after.errors?.[0]?.reason).toMatch(/server stopped/);
    },
    SLOW,
  );

  it(
    'refuses a new import once the stop has begun',
    async () => {
      const t = await started({ stopTimeoutMs: 300 });
      const stopping = t.app.stop();
      await expect(startContactImport(t.app.deps, t.principal, new PassThrough(), {})).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      });
      await stopping;
      await until(t.settled, 'the first import to settle');
    },
    SLOW,
  );
});
