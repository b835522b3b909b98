import { expect } from 'vitest';
import { twoChannel } from '../fixtures/two-channel.config.js';
import { insertPhoneContacts } from './bulk-contacts.js';
import { waitFor } from './cluster.js';
import { gqlOk } from './graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './redis.js';
import { startTestApp, type TestApp } from './test-app.js';
import { startTwoChannelProvider, type TwoChannelProvider } from './two-channel-provider.js';

/** Numbers ending in an even digit are reported delivered on A; the others escalate to B. */
export const deliveredOnA = (to: string) => Number(to.at(-1)) % 2 === 0;

export interface EscalationPair {
  t: TestApp;
  provider: TwoChannelProvider;
  /** Creates and starts a campaign over everyone: A (batches of `batchSize`, escalating after 1 s unless delivered), then B. */
  startCampaign(name: string, batchSize: number): Promise<string>;
  completed(id: string, ms: number): Promise<void>;
  onA(): TwoChannelProvider['taken'];
  onB(): TwoChannelProvider['taken'];
  stop(): Promise<void>;
}

/**
 * The two-channel provider and an API with its worker (PostgreSQL + Redis, BullMQ, two worker
 * slots) over `recipients` phone contacts: the setting of the escalation starvation tests.
 */
export async function startEscalationPair(options: {
  name: string;
  recipients: number;
  latencyMs: number;
  /** Channel A's rate in messages a second. Default: none. */
  rateA?: number;
}): Promise<EscalationPair> {
  const prefix = testRedisPrefix(options.name);
  const providerUrl = process.env.TWO_CHANNEL_PROVIDER_URL;
  const provider = await startTwoChannelProvider({
    latencyMs: options.latencyMs,
    receiptAfterMs: 100,
    delivered: deliveredOnA,
  });
  // The fixture's channels read the provider's address when they send (this process's worker).
  process.env.TWO_CHANNEL_PROVIDER_URL = provider.url;
  const t = await startTestApp(
    'postgres',
    {
      redisUrl: testRedisUrl,
      redisPrefix: prefix,
      workerConcurrency: 2,
      leaseMs: 10_000,
      receiptPollIntervalMs: 200,
      tickIntervalMs: 100,
    },
    [twoChannel('a')(options.rateA === undefined ? {} : { ratePerSecond: options.rateA }), twoChannel('b')()],
  );
  await insertPhoneContacts(t.app.deps.db, t.a.id, options.recipients);
  const on = (channel: 'a' | 'b') => () => provider.taken.filter((m) => m.channel === channel);
  return {
    t,
    provider,
    async startCampaign(name, batchSize) {
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        t.a.keys.admin,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name,
            audience: { all: true },
            variants: [{ key: 'A', content: { text: '会员日快乐' } }],
            channelPlan: [
              { channel: 'channel:fake-a', batchSize, escalateAfterMs: 1000, escalateUnless: 'DELIVERED' },
              { channel: 'channel:fake-b', batchSize: 10 },
            ],
          },
        },
      );
      const id = createCampaign.id;
      await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
      return id;
    },
    async completed(id, ms) {
      await waitFor(
        async () => (await t.app.deps.store.getCampaign(id))?.state === 'completed',
        'completion',
        ms,
      );
    },
    onA: on('a'),
    onB: on('b'),
    async stop() {
      await t.stop();
      await provider.stop();
      await dropRedisPrefix(prefix);
      if (providerUrl === undefined) delete process.env.TWO_CHANNEL_PROVIDER_URL;
      else process.env.TWO_CHANNEL_PROVIDER_URL = providerUrl;
    },
  };
}

/** Every recipient once on A, and those A did not deliver once on B. */
export function expectOnceOnAThenUndeliveredOnB(pair: EscalationPair, recipients: number): void {
  const a = pair.onA();
  expect(new Set(a.map((m) => m.to)).size).toBe(recipients);
  expect(a).toHaveLength(recipients);
  expect(
    pair
      .onB()
      .map((m) => m.to)
      .sort(),
  ).toEqual(
    a
      .map((m) => m.to)
      .filter((to) => !deliveredOnA(to))
      .sort(),
  );
}
