import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { archiveCommand } from '../src/cli/archive-command.js';
import { rows } from '../src/db/database.js';
import { archiveCampaign, archiveDue, hotRows } from '../src/services/retention/archive-campaigns.js';
import type { ArchiveTarget } from '../src/services/retention/archive-target.js';
import { s3Target } from '../src/services/retention/s3-target.js';
import { dumpArchivedRows, killArchiveMidRemoval } from './support/archived-rows.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { type FakeS3, startFakeS3 } from './support/fake-s3.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECIPIENTS = 60;

const RESTORE = `mutation($from: String!, $to: String) { restoreArchive(from: $from, to: $to) {
  campaigns alreadyRestored inProgress deliveries attempts events } }`;

const dump = (t: TestApp, id: number) => dumpArchivedRows(t.app.deps.db, id);

const archiveRow = async (t: TestApp, id: number) =>
  (
    await rows<{ state: string; path: string }>(
      t.app.deps.db,
      sql`SELECT state, path FROM campaign_archives WHERE campaign_id = ${id}`,
    )
  )[0];

describe('archives in an S3-compatible bucket (fake S3 checking SigV4; PostgreSQL)', () => {
  let t: TestApp;
  let s3: FakeS3;
  let staging: string;
  let target: ArchiveTarget;
  const objects = () => s3.buckets.get('qunfa-archive')!;

  /** A finished campaign with some clicks (events), finished on `day` (UTC). */
  async function finishedOn(name: string, day: string): Promise<number> {
    const id = await createAndStartCampaign(t, {
      name,
      audience: { all: true },
      variants: [{ key: 'A', content: { text: '会员日 https://example.com/sale 回T退订' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, id);
    const reached = await rows<{ id: number }>(
      t.app.deps.db,
      sql`SELECT id FROM deliveries WHERE campaign_id = ${Number(id)} AND state IN ('sent', 'delivered') ORDER BY id LIMIT 5`,
    );
    for (const d of reached) {
      const res = await fetch(t.app.deps.evidence!.linkTracker!.url({ deliveryId: String(d.id), link: 0 }), {
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
    }
    await rows(
      t.app.deps.db,
      sql`UPDATE campaigns SET finished_at = ${`${day}T10:00:00Z`}::timestamptz WHERE id = ${Number(id)}`,
    );
    return Number(id);
  }

  beforeAll(async () => {
    s3 = await startFakeS3({ region: 'cn-north-1', buckets: ['qunfa-archive'] });
    staging = await mkdtemp(join(tmpdir(), 'qunfa-archive-s3-'));
    t = await startTestApp(
      'postgres',
      {
        archiveDir: staging,
        archiveS3: {
          bucket: 'qunfa-archive',
          region: s3.region,
          endpoint: s3.endpoint,
          forcePathStyle: true,
          prefix: 'prod/',
          credentials: s3.credentials,
          maxAttempts: 2,
        },
      },
      [
        sandbox({
          latencyMs: { min: 1, max: 3 },
          maxRecipientsPerSend: 100,
          seed: 11,
          failureRates: { invalid_recipient: 0.05 },
        }),
        ...builtinMetrics(),
      ],
    );
    target = t.app.deps.archiveTarget!;
    await insertPhoneContacts(t.app.deps.db, t.a.id, RECIPIENTS);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await s3?.close();
    if (staging) await rm(staging, { recursive: true, force: true });
  });
  beforeEach(() => s3.clearFaults());

  it('archive to the bucket → rows gone → restoreArchive over GraphQL (admins only): every row back once, again a no-op', async () => {
    expect(target.description).toBe('s3://qunfa-archive/prod/');
    const id = await finishedOn('s3 round trip', '2026-09-01');
    const before = await dump(t, id);
    expect(before.deliveries).toHaveLength(RECIPIENTS);
    expect(before.events.length).toBeGreaterThanOrEqual(5);

    const archived = await archiveDue(t.app.deps.db, new Date(), { target, batch: 17 });
    expect(archived).toMatchObject({ campaigns: 1, deliveries: RECIPIENTS, events: before.events.length });
    expect(await hotRows(t.app.deps.db, id)).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    const key = `prod/${t.a.id}/2026-09-01/campaign-${id}.jsonl.gz`;
    expect(await archiveRow(t, id)).toEqual({ state: 'archived', path: `s3://qunfa-archive/${key}` });
    const lines = gunzipSync(objects().get(key)!.body).toString('utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      t: 'end',
      deliveries: RECIPIENTS,
      attempts: before.attempts.length,
      events: before.events.length,
    });
    // Nothing is left in the staging folder.
    expect(await readdir(join(staging, '.staging'))).toEqual([]);

    // Only an admin of the workspace may re-import.
    for (const key of [t.a.keys.operator, t.a.keys.viewer, t.a.keys.approver]) {
      expect(codesOf(await gql(t.url, key, RESTORE, { from: '2026-09-01' }))).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await gql(t.url, undefined, RESTORE, { from: '2026-09-01' }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    // Another workspace's admin finds nothing of A's.
    expect(
      (await gqlOk<{ restoreArchive: unknown }>(t.url, t.b.keys.admin, RESTORE, { from: '2026-09-01' }))
        .restoreArchive,
    ).toEqual({
      campaigns: 0,
      alreadyRestored: 0,
      inProgress: 0,
      deliveries: 0,
      attempts: 0,
      events: 0,
    });
    expect(await hotRows(t.app.deps.db, id)).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    // Bad days change nothing.
    for (const args of [
      { from: '2026-9-1' },
      { from: '2026-02-30' },
      { from: '2026-09-02', to: '2026-09-01' },
      { from: '2024-01-01', to: '2026-01-01' },
    ]) {
      expect(codesOf(await gql(t.url, t.a.keys.admin, RESTORE, args))).toEqual(['INVALID_INPUT']);
    }

    const restored = await gqlOk<{ restoreArchive: Record<string, number> }>(t.url, t.a.keys.admin, RESTORE, {
      from: '2026-08-31',
      to: '2026-09-01',
    });
    expect(restored.restoreArchive).toEqual({
      campaigns: 1,
      alreadyRestored: 0,
      inProgress: 0,
      deliveries: RECIPIENTS,
      attempts: before.attempts.length,
      events: before.events.length,
    });
    expect(await dump(t, id)).toEqual(before);
    expect((await archiveRow(t, id))?.state).toBe('restored');
    const again = await gqlOk<{ restoreArchive: Record<string, number> }>(t.url, t.a.keys.admin, RESTORE, {
      from: '2026-09-01',
    });
    expect(again.restoreArchive).toEqual({
      campaigns: 0,
      alreadyRestored: 1,
      inProgress: 0,
      deliveries: 0,
      attempts: 0,
      events: 0,
    });
    expect(await dump(t, id)).toEqual(before);
    const [audit] = await rows<{ actor: string }>(
      t.app.deps.db,
      sql`SELECT actor_kind AS actor FROM audit_log WHERE action = 'campaign.restored' AND subject_id = ${String(id)}`,
    );
    expect(audit).toEqual({ actor: 'api_key' });
  }, 180_000);

  it('an upload that fails, or an object that cannot be checked after upload, removes nothing; the next run archives', async () => {
    const id = await finishedOn('s3 upload fails', '2026-09-02');
    const before = await dump(t, id);
    const key = `prod/${t.a.id}/2026-09-02/campaign-${id}.jsonl.gz`;

    s3.fail('PutObject', 'internal-error', Number.POSITIVE_INFINITY);
    await expect(archiveCampaign(t.app.deps.db, id, { target })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { reason: 'archive_target_unreachable' },
    });
    expect(await dump(t, id)).toEqual(before);
    expect(await archiveRow(t, id)).toBeUndefined();
    expect(objects().has(key)).toBe(false);

    // Uploaded, but the read-back is cut short every time: as if the process died before the check.
    s3.clearFaults();
    s3.fail('GetObject', 'truncate', Number.POSITIVE_INFINITY);
    await expect(archiveCampaign(t.app.deps.db, id, { target })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(objects().has(key)).toBe(true);
    expect(await dump(t, id)).toEqual(before);
    expect(await archiveRow(t, id)).toBeUndefined();

    s3.clearFaults();
    expect(await archiveCampaign(t.app.deps.db, id, { target })).toMatchObject({
      campaigns: 1,
      deliveries: RECIPIENTS,
    });
    expect(await hotRows(t.app.deps.db, id)).toEqual({ deliveries: 0, attempts: 0, events: 0 });
  }, 180_000);

  it('wrong credentials: ARCHIVE_TARGET_REFUSED (credentials) and every row stays', async () => {
    const id = await finishedOn('s3 wrong secret', '2026-09-03');
    const before = await dump(t, id);
    const wrong = s3Target({
      bucket: 'qunfa-archive',
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { ...s3.credentials, secretAccessKey: 'wrong-secret' },
      spoolDir: join(staging, '.staging'),
    });
    await expect(archiveCampaign(t.app.deps.db, id, { target: wrong })).rejects.toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'credentials', s3Code: 'SignatureDoesNotMatch' },
    });
    expect(await dump(t, id)).toEqual(before);
    expect(await archiveRow(t, id)).toBeUndefined();
    // With the right secret it goes.
    expect(await archiveCampaign(t.app.deps.db, id, { target })).toMatchObject({ campaigns: 1 });
  }, 180_000);

  it('a damaged object is refused on restore over GraphQL (CONFLICT, ARCHIVE_CORRUPT): nothing written', async () => {
    const id = await finishedOn('s3 damaged', '2026-09-04');
    await archiveCampaign(t.app.deps.db, id, { target });
    const object = objects().get(`prod/${t.a.id}/2026-09-04/campaign-${id}.jsonl.gz`)!;
    const middle = object.body.length >> 1;
    object.body[middle] = (object.body[middle] ?? 0) ^ 0xff;
    const res = await gql(t.url, t.a.keys.admin, RESTORE, { from: '2026-09-04' });
    expect(codesOf(res)).toEqual(['CONFLICT']);
    expect(res.errors?.[0]?.extensions?.details).toMatchObject({ reason: 'ARCHIVE_CORRUPT' });
    expect(await hotRows(t.app.deps.db, id)).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    expect((await archiveRow(t, id))?.state).toBe('archived');
  }, 180_000);

  it('killed -9 while removing rows after the upload: the next run checks the object and finishes, the re-import gives back every row once', async () => {
    const id = await finishedOn('s3 crash', '2026-09-05');
    const before = await dump(t, id);
    await killArchiveMidRemoval({
      db: t.app.deps.db,
      campaignId: id,
      deliveries: RECIPIENTS,
      batch: 2,
      env: {
        DATABASE_URL: t.app.config.databaseUrl,
        ARCHIVE_DIR: staging,
        ARCHIVE_S3_BUCKET: 'qunfa-archive',
        ARCHIVE_S3_REGION: s3.region,
        ARCHIVE_S3_ENDPOINT: s3.endpoint,
        ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
        ARCHIVE_S3_PREFIX: 'prod/',
        ARCHIVE_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        ARCHIVE_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      },
    });
    const mid = await hotRows(t.app.deps.db, id);
    expect(mid.deliveries).toBeGreaterThan(0);
    expect(mid.deliveries).toBeLessThan(RECIPIENTS);

    const gets = s3.calls.GetObject ?? 0;
    const resumed = await archiveDue(t.app.deps.db, new Date(), { target });
    expect(resumed.campaigns).toBe(1);
    // The resume read the object back (sha256, trailer) before removing another row.
    expect(s3.calls.GetObject).toBe(gets + 1);
    expect(await hotRows(t.app.deps.db, id)).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    const restored = await gqlOk<{ restoreArchive: Record<string, number> }>(t.url, t.a.keys.admin, RESTORE, {
      from: '2026-09-05',
    });
    expect(restored.restoreArchive.campaigns).toBe(1);
    expect(await dump(t, id)).toEqual(before);
  }, 240_000);

  it('qunfa archive restore --workspace --from --to: the same re-import of days from the command line', async () => {
    const id = await finishedOn('s3 cli days', '2026-09-06');
    const before = await dump(t, id);
    await archiveCampaign(t.app.deps.db, id, { target });
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out += String(chunk);
        return true;
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        err += String(chunk);
        return true;
      });
      try {
        return { code: await archiveCommand(argv, t.app.config), out, err };
      } finally {
        stdout.mockRestore();
        stderr.mockRestore();
      }
    };
    const ws = String(t.a.id);
    expect((await run('restore', '--workspace', ws)).code).toBe(2);
    const bad = await run('restore', '--workspace', ws, '--from', '2026-09-31');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^INVALID_INPUT: from/);
    const done = await run('restore', '--workspace', ws, '--from', '2026-09-06', '--to', '2026-09-06');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.out)).toEqual({
      campaigns: 1,
      alreadyRestored: 0,
      inProgress: 0,
      deliveries: RECIPIENTS,
      attempts: before.attempts.length,
      events: before.events.length,
    });
    expect(await dump(t, id)).toEqual(before);
    expect(JSON.parse((await run('restore', '--workspace', ws, '--from', '2026-09-06')).out)).toMatchObject({
      campaigns: 0,
      alreadyRestored: 1,
      deliveries: 0,
    });
  }, 180_000);
});
