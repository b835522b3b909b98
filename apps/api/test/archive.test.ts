import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import {
  archiveCampaign,
  archiveDue,
  hotRows,
  restoreCampaign,
} from '../src/services/retention/archive-campaigns.js';
import { folderTarget } from '../src/services/retention/archive-target.js';
import { restoreArchivedDays } from '../src/services/retention/restore-archives.js';
import { dumpArchivedRows, killArchiveMidRemoval } from './support/archived-rows.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECIPIENTS = 200;

const VIEW = `query($id: ID!) { campaign(id: $id) {
  counters { total sent delivered read clicked failed suppressed settled }
  metrics { name value }
  funnel { variantKey channel sent delivered opened clicked converted }
  cost { channels { channel billed delivered clicked amount perDelivered perClick } total { currency amount } }
  bySender { channel account counters { total sent failed clicked } }
  archive { state deliveries attempts events }
} }`;

interface View {
  campaign: {
    archive: { state: string; deliveries: number; attempts: number; events: number } | null;
  } & Record<string, unknown>;
}

const dump = (t: TestApp, id: string) => dumpArchivedRows(t.app.deps.db, Number(id));

/** A finished campaign with clicks (events), conversions and prices: every view has something to show. */
async function finishedCampaign(t: TestApp, name: string): Promise<string> {
  const id = await createAndStartCampaign(t, {
    name,
    audience: { all: true },
    variants: [{ key: 'A', content: { text: '会员日特惠 https://example.com/sale 回T退订' } }],
    channelPlan: [{ channel: 'channel:sandbox' }],
  });
  await waitForCompletion(t, id);
  const reached = await rows<{ id: number; contactId: number }>(
    t.app.deps.db,
    sql`SELECT id, contact_id AS "contactId" FROM deliveries
        WHERE campaign_id = ${Number(id)} AND state IN ('sent', 'delivered') ORDER BY id LIMIT 20`,
  );
  for (const d of reached.slice(0, 15)) {
    const res = await fetch(t.app.deps.evidence!.linkTracker!.url({ deliveryId: String(d.id), link: 0 }), {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
  }
  for (const [i, d] of reached.slice(10, 15).entries()) {
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: RecordConversionInput!) { recordConversion(input: $input) { id } }',
      {
        input: {
          idempotencyKey: `${name}-${i}`,
          event: 'purchase',
          contactId: String(d.contactId),
          value: 99,
          currency: 'CNY',
        },
      },
    );
  }
  return id;
}

describe.each(drivers)('archive of finished campaigns (%s)', (driver) => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    // Failures that end a delivery, none retried hours later: the campaign completes.
    t = await startTestApp(driver, {}, [
      sandbox({
        latencyMs: { min: 1, max: 3 },
        maxRecipientsPerSend: 100,
        seed: 7,
        failureRates: { invalid_recipient: 0.05 },
      }),
      ...builtinMetrics(),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'qunfa-archive-'));
    await insertPhoneContacts(t.app.deps.db, t.a.id, RECIPIENTS);
    await gqlOk(
      t.url,
      t.a.keys.admin,
      'mutation($p: [ChannelPriceInput!]!) { setChannelPrices(prices: $p) { channel } }',
      {
        p: [{ channel: 'channel:sandbox', amount: 0.045, currency: 'CNY', unit: 'MESSAGE' }],
      },
    );
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('archive → rows gone, views unchanged → re-import: every row back exactly once, twice is a no-op; a damaged file is refused', async () => {
    const id = await finishedCampaign(t, 'round trip');
    const view = () => gqlOk<View>(t.url, t.a.keys.viewer, VIEW, { id });
    const before = await view();
    const rowsBefore = await dump(t, id);
    expect(rowsBefore.deliveries).toHaveLength(RECIPIENTS);
    expect(rowsBefore.events.length).toBeGreaterThanOrEqual(15);
    expect(before.campaign.archive).toBeNull();

    // Not due yet: archiveDays (30) has not passed since it finished.
    expect((await archiveDue(t.app.deps.db, new Date(), { dir, batch: 37 })).campaigns).toBe(0);
    await rows(
      t.app.deps.db,
      sql`UPDATE campaigns SET finished_at = now() - interval '40 days' WHERE id = ${Number(id)}`,
    );
    const archived = await archiveDue(t.app.deps.db, new Date(), { dir, batch: 37 });
    expect(archived).toEqual({
      campaigns: 1,
      deliveries: RECIPIENTS,
      attempts: rowsBefore.attempts.length,
      events: rowsBefore.events.length,
    });
    expect(await hotRows(t.app.deps.db, Number(id))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    const after = await view();
    expect(after.campaign.archive).toEqual({
      state: 'archived',
      deliveries: RECIPIENTS,
      attempts: rowsBefore.attempts.length,
      events: rowsBefore.events.length,
    });
    expect({ ...after.campaign, archive: null }).toEqual(before.campaign);

    // The file: per workspace and day, gzipped JSON Lines, a header, the rows, a trailer.
    const [{ path } = { path: '' }] = await rows<{ path: string }>(
      t.app.deps.db,
      sql`SELECT path FROM campaign_archives WHERE campaign_id = ${Number(id)}`,
    );
    expect(path).toMatch(new RegExp(`^${t.a.id}/\\d{4}-\\d{2}-\\d{2}/campaign-${id}\\.jsonl\\.gz$`));
    const lines = gunzipSync(await readFile(join(dir, path)))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string });
    expect(lines[0]!.t).toBe('header');
    expect(lines.at(-1)).toEqual({
      t: 'end',
      deliveries: RECIPIENTS,
      attempts: rowsBefore.attempts.length,
      events: rowsBefore.events.length,
    });

    const restored = await restoreCampaign(t.app.deps.db, Number(id), { dir });
    expect(restored).toEqual({
      deliveries: RECIPIENTS,
      attempts: rowsBefore.attempts.length,
      events: rowsBefore.events.length,
    });
    expect(await dump(t, id)).toEqual(rowsBefore);
    const back = await view();
    expect(back.campaign.archive?.state).toBe('restored');
    expect({ ...back.campaign, archive: null }).toEqual(before.campaign);
    expect(await restoreCampaign(t.app.deps.db, Number(id), { dir })).toEqual({
      deliveries: 0,
      attempts: 0,
      events: 0,
    });

    // Archived again (by hand), then one byte of the file changed: the re-import refuses it, writes nothing.
    await archiveCampaign(t.app.deps.db, Number(id), { dir });
    const bytes = await readFile(join(dir, path));
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(join(dir, path), bytes);
    await expect(restoreCampaign(t.app.deps.db, Number(id), { dir })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'ARCHIVE_CORRUPT' },
    });
    expect(await hotRows(t.app.deps.db, Number(id))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
  }, 180_000);

  it.runIf(driver === 'postgres')(
    'killed -9 while removing rows: the rerun finishes, and the re-import gives back every row once',
    async () => {
      const id = await finishedCampaign(t, 'crash');
      const rowsBefore = await dump(t, id);
      await killArchiveMidRemoval({
        db: t.app.deps.db,
        campaignId: Number(id),
        deliveries: RECIPIENTS,
        batch: 3,
        env: { DATABASE_URL: t.app.config.databaseUrl, ARCHIVE_DIR: dir },
      });
      const mid = await hotRows(t.app.deps.db, Number(id));
      expect(mid.deliveries).toBeGreaterThan(0);
      expect(mid.deliveries).toBeLessThan(RECIPIENTS);

      // The retention job's next run finds the half-removed archive and finishes it.
      const resumed = await archiveDue(t.app.deps.db, new Date(), { dir });
      expect(resumed.campaigns).toBe(1);
      expect(await hotRows(t.app.deps.db, Number(id))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
      await restoreCampaign(t.app.deps.db, Number(id), { dir });
      expect(await dump(t, id)).toEqual(rowsBefore);
    },
    240_000,
  );

  it.runIf(driver === 'postgres')(
    'two archivers of one campaign at once (two workers, or the CLI beside one): one archives, the other is refused as busy, and the archive restores whole',
    async () => {
      const id = await finishedCampaign(t, 'two archivers');
      const rowsBefore = await dump(t, id);
      // Before the lock both wrote the same file: the rows went, under an archive whose sha256
      // matched neither writer's bytes — every row of the campaign lost.
      const results = await Promise.allSettled([
        archiveCampaign(t.app.deps.db, Number(id), { dir, batch: 7 }),
        archiveCampaign(t.app.deps.db, Number(id), { dir, batch: 7 }),
      ]);
      const done = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(done).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'ARCHIVE_BUSY' },
      });
      expect(await hotRows(t.app.deps.db, Number(id))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
      // While another process holds the campaign (its lock, taken here by hand), a re-import of it
      // is refused as busy too, and one over GraphQL's days counts it as in progress.
      const other = await (
        t.app.deps.db as unknown as { $client: { reserve(): Promise<postgres.ReservedSql> } }
      ).$client.reserve();
      await other.unsafe('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`qunfa.archive.${id}`]);
      try {
        await expect(restoreCampaign(t.app.deps.db, Number(id), { dir })).rejects.toMatchObject({
          code: 'CONFLICT',
          details: { reason: 'ARCHIVE_BUSY' },
        });
        const [day] = await rows<{ day: string }>(
          t.app.deps.db,
          sql`SELECT to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM campaigns WHERE id = ${Number(id)}`,
        );
        const busy = await restoreArchivedDays(t.app.deps.db, folderTarget(dir), t.a.id, {
          from: day!.day,
          to: day!.day,
        });
        expect(busy).toMatchObject({ campaigns: 0, inProgress: 1, deliveries: 0 });
        expect(await hotRows(t.app.deps.db, Number(id))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
      } finally {
        await other.unsafe('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`qunfa.archive.${id}`]);
        other.release();
      }
      await restoreCampaign(t.app.deps.db, Number(id), { dir });
      expect(await dump(t, id)).toEqual(rowsBefore);

      // The retention job meeting a campaign another archiver holds skips it instead of failing its run.
      const due = await finishedCampaign(t, 'busy for the job');
      await rows(
        t.app.deps.db,
        sql`UPDATE campaigns SET finished_at = now() - interval '40 days' WHERE id = ${Number(due)}`,
      );
      const [byHand, job] = await Promise.allSettled([
        archiveCampaign(t.app.deps.db, Number(due), { dir, batch: 7 }),
        archiveDue(t.app.deps.db, new Date(), { dir, batch: 7 }),
      ]);
      expect(job.status).toBe('fulfilled');
      const archivedBy = [byHand, job].map((r) => (r.status === 'fulfilled' ? r.value.campaigns : 0));
      expect(archivedBy[0]! + archivedBy[1]!).toBe(1);
      expect(await hotRows(t.app.deps.db, Number(due))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    },
    180_000,
  );
});

describe('the retention job archives on its own (PGlite, ARCHIVE_DIR set)', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qunfa-archive-job-'));
    t = await startTestApp('pglite', { retentionIntervalMs: 300, archiveDir: dir }, [
      sandbox({ latencyMs: { min: 1, max: 2 }, maxRecipientsPerSend: 100, seed: 5 }),
      ...builtinMetrics(),
    ]);
    await insertPhoneContacts(t.app.deps.db, t.a.id, 20);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a campaign finished longer ago than archiveDays goes to the folder, with its audit entry', async () => {
    const id = await createAndStartCampaign(t, {
      name: 'job',
      audience: { all: true },
      variants: [{ key: 'A', content: { text: 'hello' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, id);
    await gqlOk(
      t.url,
      t.a.keys.admin,
      'mutation { setRetention(input: { archiveDays: 2 }) { archiveDays } }',
    );
    await rows(
      t.app.deps.db,
      sql`UPDATE campaigns SET finished_at = now() - interval '3 days' WHERE id = ${Number(id)}`,
    );
    const deadline = Date.now() + 60_000;
    let archive: View['campaign']['archive'] = null;
    while (archive?.state !== 'archived') {
      if (Date.now() > deadline) throw new Error(`not archived: ${JSON.stringify(archive)}`);
      await new Promise((r) => setTimeout(r, 200));
      archive = (
        await gqlOk<View>(
          t.url,
          t.a.keys.viewer,
          'query($id: ID!) { campaign(id: $id) { archive { state deliveries attempts events } } }',
          { id },
        )
      ).campaign.archive;
    }
    expect(archive.deliveries).toBe(20);
    expect(await hotRows(t.app.deps.db, Number(id))).toEqual({ deliveries: 0, attempts: 0, events: 0 });
    const [audit] = await rows<{ action: string; actor: string }>(
      t.app.deps.db,
      sql`SELECT action, actor_kind || ':' || actor_id AS actor FROM audit_log
          WHERE subject_type = 'campaign' AND subject_id = ${id} AND action = 'campaign.archived'`,
    );
    expect(audit).toEqual({ action: 'campaign.archived', actor: 'system:retention' });
  }, 120_000);
});
