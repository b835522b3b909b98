import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, rows } from '../src/db/database.js';
import { withMigratedPglite } from './support/databases.js';
import { gql } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);

/**
 * A small filesystem of the test's own (tmpfs), so that "disk full" is the kernel's real
 * ENOSPC under PGlite's data folder and nothing else on the machine fills up. Mounting needs
 * root (or CAP_SYS_ADMIN): without it the test says so and is skipped.
 */
async function smallDisk(): Promise<
  { dir: string; resize(mb: number): Promise<void>; close(): Promise<void> } | string
> {
  const dir = mkdtempSync(join(tmpdir(), 'qunfa-disk-full-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=128m', 'tmpfs', dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`;
  }
  return {
    dir,
    resize: async (mb) => {
      await run('mount', ['-o', `remount,size=${mb}m`, dir]);
    },
    close: async () => {
      // Lazily: a PGlite that failed to start keeps its files open until the process ends.
      await run('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const usedMb = async (dir: string) =>
  Math.ceil(Number((await run('du', ['-sk', dir])).stdout.split('\t')[0]) / 1024);

const disk = await smallDisk();
const CREATE = 'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }';
const PER_CALL = 500;

describe.skipIf(typeof disk === 'string')(
  `PGlite with its data folder on a disk that fills up${typeof disk === 'string' ? `: skipped, ${disk}` : ''}`,
  () => {
    let t: TestApp | undefined;
    afterAll(async () => {
      await t?.stop().catch(() => undefined);
      if (typeof disk !== 'string') await disk.close();
    });

    it('answers UNAVAILABLE (disk_full), writes nothing of that call, and goes on answering reads', async () => {
      if (typeof disk === 'string') return;
      // A copy of a migrated folder on the small disk: the subject is a disk filling up under writes,
      // not a new folder's initdb (pglite-new-folder.test.ts).
      const dataDir = withMigratedPglite(join(disk.dir, 'pglite'));
      t = await startTestApp('pglite', { dataDir, worker: 'off' });
      const workspaceId = t.a.id;
      // Leave 3 MB free: a few thousand contacts' worth.
      await disk.resize((await usedMb(disk.dir)) + 3);

      let acknowledged = 0;
      let refusal: { code?: unknown; details?: { reason?: unknown } } | undefined;
      for (let call = 0; call < 200 && !refusal; call++) {
        const input = Array.from({ length: PER_CALL }, (_, i) => ({
          name: `联系人 ${call}-${i} ${'备注'.repeat(60)}`,
          identities: [{ kind: 'PHONE', value: `+86137${String(call * PER_CALL + i).padStart(8, '0')}` }],
        }));
        const result = await gql(t.url, t.a.keys.operator, CREATE, { input });
        if (result.errors?.length) refusal = result.errors[0]!.extensions as typeof refusal;
        else acknowledged += PER_CALL;
      }
      expect(acknowledged).toBeGreaterThan(0);
      expect(refusal).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'disk_full' } });

      // Still answering reads, with exactly what it acknowledged: the refused call left nothing.
      const count = async (db: Parameters<typeof rows>[0]) =>
        (
          await rows<{ contacts: number; identities: number }>(
            db,
            sql`SELECT (SELECT count(*) FROM contacts WHERE workspace_id = ${workspaceId})::int AS contacts,
                       (SELECT count(*) FROM contact_identities WHERE workspace_id = ${workspaceId})::int AS identities`,
          )
        )[0];
      expect(await count(t.app.deps.db)).toEqual({ contacts: acknowledged, identities: acknowledged });
      await t.stop();
      t = undefined;

      // A restart on the still-full disk: PGlite alone says only "failed to initialize
      // properly"; the app says why, and what to do.
      await expect(openDatabase({ dataDir: join(dataDir, 'pglite') })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { reason: 'disk_full' },
        message: expect.stringMatching(/free space on that disk and start again/),
      });
      // With room again, every acknowledged row is there. (The app keeps PGlite in
      // `<dataDir>/pglite`: opening `dataDir` itself starts a new, empty, migrated database
      // beside it, which reads as "no acknowledged row came back".)
      await disk.resize((await usedMb(disk.dir)) + 64);
      const reopened = await openDatabase({ dataDir: join(dataDir, 'pglite') });
      try {
        expect(await count(reopened.db)).toEqual({ contacts: acknowledged, identities: acknowledged });
      } finally {
        await reopened.close();
      }
    }, 300_000);
  },
);
