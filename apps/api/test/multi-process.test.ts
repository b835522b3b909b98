import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/auth/api-keys.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { workspaces } from '../src/db/schema/index.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { ChildProcesses } from './support/child-processes.js';
import { fakeProviderFixture } from './support/cluster.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { type FakeProvider, startFakeProvider } from './support/fake-provider.js';
import { collect, gqlOk, wsClient } from './support/graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';

const RECIPIENTS = 3_000;

interface Progress {
  campaignProgress: { state: string; counters: { total: number; sent: number; settled: number } };
}

describe('two API processes and two worker processes on loopback (PostgreSQL + Redis)', () => {
  const processes = new ChildProcesses();
  const prefix = testRedisPrefix('multi');
  let database: TestDatabase;
  let db: Database;
  let provider: FakeProvider;
  let listener: Redis;
  const busMessages: string[] = [];
  let urls: string[] = [];
  let key = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    // Migrated here once, so that the processes started next do not race to migrate.
    db = await openDatabase({ url: database.url!, poolSize: 2 });
    const [ws] = await db.db.insert(workspaces).values({ name: 'multi' }).returning();
    key = (await createApiKey(db.db, { workspaceId: ws!.id, name: 'admin', role: 'admin' })).key;
    await insertPhoneContacts(db.db, ws!.id, RECIPIENTS);
    provider = await startFakeProvider({ latencyMs: 30 });
    listener = new Redis(testRedisUrl);
    listener.on('message', (_channel, message: string) => busMessages.push(message));
    await listener.subscribe(`${prefix}:events`);

    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      QUNFA_CONFIG: fakeProviderFixture,
      FAKE_PROVIDER_URL: provider.url,
      WORKER_CONCURRENCY: '2',
    };
    const apis = [0, 1].map(() =>
      processes.spawn('serve', { ...env, WORKER: 'off', PORT: '0', HOST: '127.0.0.1' }),
    );
    processes.spawn('worker', env);
    processes.spawn('worker', env);
    urls = await Promise.all(apis.map((api) => processes.urlOf(api)));
  });
  afterAll(async () => {
    await processes.killAll();
    listener?.disconnect();
    await db?.close();
    await provider?.stop();
    await database?.drop();
    await dropRedisPrefix(prefix);
  });

  it('streams, on API A, the progress of a campaign started through API B, to completion', async () => {
    const [apiA, apiB] = urls as [string, string];
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      apiB,
      key,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'across processes',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: 'hello' } }],
          channelPlan: [{ channel: 'channel:fake-provider' }],
        },
      },
    );
    const id = createCampaign.id;
    const client = wsClient(apiA, key);
    const sub = collect<Progress>(
      client,
      'subscription($id: ID!) { campaignProgress(id: $id) { state counters { total sent settled } } }',
      { id },
      (e) => e.campaignProgress.state === 'COMPLETED',
    );
    await expect.poll(() => sub.events.length, { timeout: 20_000 }).toBeGreaterThan(0);
    await gqlOk(apiB, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no completion')), 60_000));
    await Promise.race([sub.done, timeout]);
    client.dispose();

    expect(sub.errors).toEqual([]);
    expect(sub.events.at(-1)!.campaignProgress).toMatchObject({
      state: 'COMPLETED',
      counters: { total: RECIPIENTS, sent: RECIPIENTS, settled: RECIPIENTS },
    });
    // Progress in between reached A from the workers, and it went over Redis.
    const midway = sub.events.filter(
      (e) => e.campaignProgress.counters.settled > 0 && e.campaignProgress.counters.settled < RECIPIENTS,
    );
    expect(midway.length).toBeGreaterThan(0);
    const settledSeen = sub.events.map((e) => e.campaignProgress.counters.settled);
    expect(settledSeen).toEqual([...settledSeen].sort((a, b) => a - b));
    expect(busMessages.some((m) => m.includes(`"campaignId":"${id}"`))).toBe(true);
    expect(provider.delivered.size).toBe(RECIPIENTS);
  });
});
