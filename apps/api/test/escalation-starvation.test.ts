import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoChannel } from './fixtures/two-channel.config.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { waitFor } from './support/cluster.js';
import { load1 } from './support/cpu-meter.js';
import { gqlOk } from './support/graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTwoChannelProvider, type TwoChannelProvider } from './support/two-channel-provider.js';

const RECIPIENTS = 400;
const RATE_A = 20;
/** Numbers ending in an even digit are reported delivered on A; the others escalate to B. */
const delivered = (to: string) => Number(to.at(-1)) % 2 === 0;

describe('escalations beside a rate-limited first step (PostgreSQL + Redis, BullMQ, two worker slots)', () => {
  let t: TestApp;
  let provider: TwoChannelProvider;
  const prefix = testRedisPrefix('starve');
  const providerUrl = process.env.TWO_CHANNEL_PROVIDER_URL;
  beforeAll(async () => {
    provider = await startTwoChannelProvider({ latencyMs: 5, receiptAfterMs: 100, delivered });
    // The fixture's channels read the provider's address when they send (this process's worker).
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
      [twoChannel('a')({ ratePerSecond: RATE_A }), twoChannel('b')()],
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

  it('sends escalations on B while A still waits for its rate tokens, and A keeps to its rate', async () => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'starve',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日快乐' } }],
          channelPlan: [
            { channel: 'channel:fake-a', batchSize: 10, escalateAfterMs: 1000, escalateUnless: 'DELIVERED' },
            { channel: 'channel:fake-b', batchSize: 10 },
          ],
        },
      },
    );
    const id = createCampaign.id;
    const started = Date.now();
    await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    const onA = () => provider.taken.filter((m) => m.channel === 'a');
    const onB = () => provider.taken.filter((m) => m.channel === 'b');

    // Half of A out: escalations of the first quarter have been due for seconds by then.
    await waitFor(async () => onA().length >= RECIPIENTS / 2, 'half of A sent', 120_000);
    const bAtHalf = onB().length;
    const halfAt = Date.now() - started;
    await waitFor(
      async () => (await t.app.deps.store.getCampaign(id))?.state === 'completed',
      'completion',
      180_000,
    );
    const a = onA();
    const b = onB();
    const firstB = b[0]?.at;
    // The first escalation was due one second after the first send on A.
    const firstDue = a[0]!.at + 1000;
    console.log(
      `A half sent after ${halfAt} ms with B at ${bAtHalf}; first B send ${firstB === undefined ? '-' : firstB - firstDue} ms after the first escalation was due; A took ${a.at(-1)!.at - a[0]!.at} ms for ${a.length}; load ${load1()}`,
    );
    // Before: both worker slots slept in A's limiter waits and BullMQ hands jobs out in due order,
    // so B's due escalations sent nothing until A's last batch had been handed out.
    expect(bAtHalf).toBeGreaterThanOrEqual(RECIPIENTS / 8);

    // Every recipient once on A, the undelivered once on B.
    expect(new Set(a.map((m) => m.to)).size).toBe(RECIPIENTS);
    expect(a).toHaveLength(RECIPIENTS);
    expect(b.map((m) => m.to).sort()).toEqual(
      a
        .map((m) => m.to)
        .filter((to) => !delivered(to))
        .sort(),
    );
    // A kept to its rate: the bucket's burst (its rate, or a batch) and then RATE_A a second.
    expect(a.at(-1)!.at - a[0]!.at).toBeGreaterThanOrEqual(((RECIPIENTS - RATE_A) / RATE_A) * 1000 - 100);
  }, 240_000);
});
