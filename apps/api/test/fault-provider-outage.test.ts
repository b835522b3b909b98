import { settledCount } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { type Cluster, startCluster, waitFor } from './support/cluster.js';
import { expectExactlyOnce } from './support/exactly-once.js';
import { gqlOk } from './support/graphql-client.js';

const RECIPIENTS = 2_000;
/** The provider's own limit: 2,000 take 20 s, so the outage lands mid-campaign. */
const RATE = 100;
/**
 * Time is scaled, not faked: the provider is down OUTAGE_MS and a network failure is retried
 * RETRY_MS later — in production 10 minutes and the default 2 hours. What matters is kept:
 * the outage is shorter than the retry delay, so each recipient meets it at most once.
 */
const OUTAGE_MS = 8_000;
const RETRY_MS = 12_000;
const BATCH = 100;

describe('a provider down (every request answered 502) mid-campaign, 2 worker processes', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({
      providerLatencyMs: 20,
      leaseMs: 5000,
      env: { FAKE_PROVIDER_RATE: String(RATE) },
    });
    await insertPhoneContacts(c.t.app.deps.db, c.t.a.id, RECIPIENTS);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('backs off by class without a retry storm, resumes when the provider does, everyone exactly once', async () => {
    const workers = [c.spawnWorker(), c.spawnWorker()];
    const logs = () => workers.map((w) => w.output().slice(-3000)).join('\n---\n');
    const key = c.t.a.keys.admin;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      c.t.url,
      key,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'provider outage',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日快乐' } }],
          channelPlan: [{ channel: 'channel:fake-provider' }],
          retryPolicy: { networkRetryDelayMs: RETRY_MS, unknownRetryDelayMs: RETRY_MS },
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(c.t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const { store, db } = c.t.app.deps;

    await waitFor(async () => settledCount(await store.counters(id)) >= 400, '400 settled', 150_000, logs);
    const downAt = Date.now();
    c.provider.failWith = 502;
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    c.provider.failWith = undefined;
    const upAt = Date.now();

    await waitFor(
      async () => (await store.getCampaign(id))?.state === 'completed',
      'completion after the provider came back',
      90_000,
      logs,
    );
    // Counted from the provider's own records: every recipient delivered once, none twice.
    await expectExactlyOnce(c, id, RECIPIENTS);
    const { requests } = c.provider;

    // The outage was met: batches were refused, and their recipients retried once each.
    const refused = requests.filter((r) => r.status === 502);
    expect(refused.length).toBeGreaterThan(0);
    const refusedRecipients = refused.reduce((n, r) => n + r.messages, 0);
    const [failures] = await rows<{ recipients: number; most: number }>(
      db,
      sql`SELECT count(*)::int AS recipients, coalesce(max(n), 0)::int AS most FROM (
            SELECT delivery_id, count(*) AS n FROM delivery_attempts
            WHERE campaign_id = ${Number(id)} AND status = 'failed' GROUP BY delivery_id) x`,
    );
    expect(failures).toEqual({ recipients: refusedRecipients, most: 1 });

    // No retry storm: while the provider was down, each batch asked it at most once (the
    // back-off is the class's retry delay, longer than the outage), and the rate held.
    const whileDown = requests.filter((r) => r.at >= downAt && r.at < upAt);
    expect(whileDown.length).toBeLessThanOrEqual(Math.ceil(RECIPIENTS / BATCH));
    const perSecond = whileDown.reduce((n, r) => n + r.messages, 0) / (OUTAGE_MS / 1000);
    expect(perSecond).toBeLessThanOrEqual(RATE * 1.5);
    // Resumed on its own once the provider was back.
    expect(requests.filter((r) => r.at >= upAt && r.status === 200).length).toBeGreaterThan(0);
  }, 300_000);
});
