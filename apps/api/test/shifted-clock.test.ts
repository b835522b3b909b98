import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftedClock } from '../src/adapters/shifted-clock.js';
import { rows } from '../src/db/database.js';
import { complianceRules, type PluginServices } from '../src/plugins.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DAY = 86_400_000;

/** A failure-free sandbox, the metrics and every default compliance rule (quiet hours 22:00–08:00 among them). */
const plugins = (services: PluginServices): QunfaPlugin[] => [
  sandbox({ latencyMs: { min: 1, max: 2 }, maxRecipientsPerSend: 100 }),
  ...builtinMetrics(),
  ...complianceRules(services),
];

/** 23:30 in Shanghai (15:30 UTC), at least three days after `from`: inside the default quiet hours. */
function lateEveningAfter(from: number): Date {
  const at = new Date(from + 3 * DAY);
  at.setUTCHours(15, 30, 0, 0);
  if (at.getTime() < from + 3 * DAY) at.setTime(at.getTime() + DAY);
  return at;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface View {
  campaign: {
    state: string;
    counters: { queued: number; sent: number; total: number };
    waiting: { reason: string; count: number | null; until: string | null }[];
    archive: { state: string; deliveries: number } | null;
  };
}
const VIEW = `query($id: ID!) { campaign(id: $id) { state counters { queued sent total }
  waiting { reason count until } archive { state deliveries } } }`;

/**
 * Tables the test itself writes outside the app (workspaces and keys go straight to the
 * database), and audience_changes: written and pruned by the database's own `now()` alone, a
 * change log keyed by transaction id that no clock reading is ever compared with.
 */
const notTheApps = new Set(['workspaces', 'api_keys', 'audience_changes']);

describe.each(drivers)('a server three days ahead of real time, starting in quiet hours (%s)', (driver) => {
  const realStart = Date.now();
  const startAt = lateEveningAfter(realStart);
  const clock = shiftedClock(startAt.getTime() - realStart);
  const received: { type: string; createdAt: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(
        JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; createdAt: string },
      );
      res.writeHead(200).end('ok');
    });
  });
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qunfa-shifted-'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t = await startTestApp(
      driver,
      {
        retentionIntervalMs: 200,
        archiveDir: dir,
        webhooks: {
          pollIntervalMs: 30,
          baseDelayMs: 100,
          maxDelayMs: 400,
          addresses: { allow: ['127.0.0.1'] },
        },
      },
      plugins,
      { clock },
    );
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('defers until 08:00 on its own clock, sends when that comes, tells partners and archives by that clock — no row stamped with the real time', async () => {
    const admin = t.a.keys.admin;
    const { port } = receiver.address() as AddressInfo;
    await gqlOk(
      t.url,
      admin,
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
      {
        input: {
          url: `http://127.0.0.1:${port}/events`,
          eventTypes: ['campaign.state_changed', 'campaign.progress_milestone'],
        },
      },
    );
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'night',
      count: 20,
      identity: (i) => ({ kind: 'PHONE', value: `+8613722${String(i).padStart(6, '0')}` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      admin,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'late',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '{{name}}，您的积分已到账。' } }],
          channelPlan: [{ channel: 'channel:sandbox', batchSize: 10 }],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });

    // 08:00 in Shanghai the next morning of the clock, not of the real day.
    const morning = new Date(startAt.getTime() + DAY);
    morning.setUTCHours(0, 0, 0, 0);
    const deferred = await until(
      () => gqlOk<View>(t.url, admin, VIEW, { id }),
      (v) => v.campaign.waiting.some((w) => w.reason === 'QUIET_HOURS' && w.count === 20),
      'the quiet-hours deferral',
    );
    expect(deferred.campaign.counters).toMatchObject({ sent: 0, total: 20 });
    expect(deferred.campaign.waiting).toEqual([
      { reason: 'QUIET_HOURS', count: 20, until: morning.toISOString() },
    ]);

    clock.setNow(new Date(morning.getTime() + 1000));
    const done = await until(
      () => gqlOk<View>(t.url, admin, VIEW, { id }),
      (v) => v.campaign.state === 'COMPLETED',
      'the campaign to complete after 08:00',
    );
    expect(done.campaign.counters).toMatchObject({ sent: 20, queued: 0 });
    const [finished] = await rows<{ finishedAt: string }>(
      t.app.deps.db,
      sql`SELECT finished_at::text AS "finishedAt" FROM campaigns WHERE id = ${Number(id)}`,
    );
    expect(new Date(finished!.finishedAt).getTime()).toBeGreaterThanOrEqual(morning.getTime());

    // Partners hear of it, each event stamped with the server's clock.
    await until(
      async () => received.map((e) => e.type),
      (types) =>
        types.filter((x) => x === 'campaign.progress_milestone').length === 4 &&
        types.includes('campaign.state_changed'),
      'the webhook events',
    );
    for (const event of received)
      expect(new Date(event.createdAt).getTime()).toBeGreaterThanOrEqual(startAt.getTime());

    // Two days after it finished on the clock (real time: minutes), the retention job archives it.
    await gqlOk(t.url, admin, 'mutation { setRetention(input: { archiveDays: 2 }) { archiveDays } }');
    clock.setNow(new Date(morning.getTime() + 2 * DAY + 3_600_000));
    const archived = await until(
      () => gqlOk<View>(t.url, admin, VIEW, { id }),
      (v) => v.campaign.archive?.state === 'archived',
      'the retention job to archive the campaign',
    );
    expect(archived.campaign.archive?.deliveries).toBe(20);

    // Whatever the app wrote (campaign, batches, deliveries, attempts, audit, outbox, milestones,
    // archive, heartbeats, contacts) carries the clock's time: nothing falls in the real minutes the test ran.
    const realEnd = Date.now();
    const columns = await rows<{ table: string; column: string }>(
      t.app.deps.db,
      sql`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
          WHERE table_schema = 'public' AND data_type = 'timestamp with time zone' ORDER BY 1, 2`,
    );
    expect(columns.length).toBeGreaterThan(20);
    const stampedWithRealTime: string[] = [];
    for (const { table, column } of columns) {
      if (notTheApps.has(table)) continue;
      const [found] = await rows<{ n: number }>(
        t.app.deps.db,
        sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}
            WHERE ${sql.identifier(column)} BETWEEN ${new Date(realStart - 60_000).toISOString()}::timestamptz
                                               AND ${new Date(realEnd + 60_000).toISOString()}::timestamptz`,
      );
      if (found!.n > 0) stampedWithRealTime.push(`${table}.${column} (${found!.n})`);
    }
    expect(stampedWithRealTime).toEqual([]);
  }, 180_000);
});
