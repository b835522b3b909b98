import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoChannel } from './fixtures/two-channel.config.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { waitFor } from './support/cluster.js';
import { load1 } from './support/cpu-meter.js';
import { gqlOk } from './support/graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTwoChannelProvider, type TwoChannelProvider } from './support/two-channel-provider.js';

const RECIPIENTS = 200;
/** Numbers ending in an even digit are reported delivered on A; the others escalate to B. */
const delivered = (to: string) => Number(to.at(-1)) % 2 === 0;

describe('escalations beside a backlog of the first step (PostgreSQL + Redis, BullMQ, two worker slots)', () => {
  let t: TestApp;
  let provider: TwoChannelProvider;
  const prefix = testRedisPrefix('backlog');
  const providerUrl = process.env.TWO_CHANNEL_PROVIDER_URL;
  beforeAll(async () => {
    // 40 ms a call and batches of 2 on A: its 100 batches, all due at the start, take 2 s and more.
    provider = await startTwoChannelProvider({ latencyMs: 40, receiptAfterMs: 100, delivered });
    process.env.TWO_CHANNEL_PROVIDER_URL = provider.url;
    t = await startTestApp(
      'postgres',
      {
        redisUrl: testRedisUrl,
        redisPrefix: prefix,
        workerConcurrency: 2,
        leaseMs: 10_000,
        receiptPollIntervalMs: 200,
        tickIntervalMs: 100,
      },
      [twoChannel('a')(), twoChannel('b')()],
    );
    await insertPhoneContacts(t.app.deps.db, t.a.id, RECIPIENTS);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await provider?.stop();
    await dropRedisPrefix(prefix);
    if (providerUrl === undefined) delete process.env.TWO_CHANNEL_PROVIDER_URL;
    else process.env.TWO_CHANNEL_PROVIDER_URL = providerUrl;
  });

  it("sends escalations on B while A's overdue batches still wait, each recipient once a channel", async () => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'backlog',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日快乐' } }],
          channelPlan: [
            { channel: 'channel:fake-a', batchSize: 2, escalateAfterMs: 1000, escalateUnless: 'DELIVERED' },
            { channel: 'channel:fake-b', batchSize: 10 },
          ],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    await waitFor(
      async () => (await t.app.deps.store.getCampaign(id))?.state === 'completed',
      'completion',
      120_000,
    );
    const a = provider.taken.filter((m) => m.channel === 'a');
    const b = provider.taken.filter((m) => m.channel === 'b');
    const firstB = b[0]!.at;
    const aBeforeB = a.filter((m) => m.at < firstB).length;
    console.log(
      `first B send ${firstB - (a[0]!.at + 1000)} ms after the first escalation was due, with ${aBeforeB} of ${a.length} sent on A; A took ${a.at(-1)!.at - a[0]!.at} ms; load ${load1()}`,
    );
    // Before: the escalation batches were handed out after every overdue batch of A, so B's first
    // send came after A's last. The escalations fall due 1 s in, A's backlog takes 2 s at least.
    expect(aBeforeB).toBeLessThan((RECIPIENTS * 3) / 4);

    // Every recipient once on A, the undelivered once on B.
    expect(new Set(a.map((m) => m.to)).size).toBe(RECIPIENTS);
    expect(a).toHaveLength(RECIPIENTS);
    expect(b.map((m) => m.to).sort()).toEqual(
      a
        .map((m) => m.to)
        .filter((to) => !delivered(to))
        .sort(),
    );
  }, 180_000);
});
