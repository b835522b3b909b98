import { fileURLToPath } from 'node:url';
import type { QunfaPlugin } from '@qunfa/core';
import fakeProviderConfig from '../fixtures/fake-provider.config.js';
import { ChildProcesses, type QunfaProcess } from './child-processes.js';
import { type FakeProvider, startFakeProvider } from './fake-provider.js';
import { gqlOk } from './graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './redis.js';
import { startTestApp, type TestApp } from './test-app.js';

export const fakeProviderFixture = fileURLToPath(
  new URL('../fixtures/fake-provider.config.ts', import.meta.url),
);

export interface Cluster {
  /** The API in this process (worker off), on PostgreSQL and Redis. */
  t: TestApp;
  provider: FakeProvider;
  processes: ChildProcesses;
  /** What a `worker` or `serve` process needs to join: the same database, Redis prefix and plugins. */
  env: Record<string, string>;
  spawnWorker(): QunfaProcess;
  /** Creates a campaign to every contact of workspace A on the fake provider, and starts it. */
  startCampaign(name: string): Promise<string>;
  /** Child processes, API, provider, database and Redis keys, in that order. */
  stop(): Promise<void>;
}

/**
 * A deployment on loopback: PostgreSQL, Redis under a fresh prefix, a fake provider, and
 * this process's API with its worker off; worker processes are spawned on demand.
 */
export async function startCluster(options: {
  providerLatencyMs: number;
  leaseMs: number;
  env?: Record<string, string>;
  /** Another Redis than the shared one: a fault test's private server. */
  redisUrl?: string;
  /** The database of the API and workers; default a fresh one on the shared PostgreSQL. */
  databaseUrl?: string;
}): Promise<Cluster> {
  const prefix = testRedisPrefix('cluster');
  const redisUrl = options.redisUrl ?? testRedisUrl;
  const provider = await startFakeProvider({ latencyMs: options.providerLatencyMs });
  const processes = new ChildProcesses();
  const plugins = fakeProviderConfig.plugins as QunfaPlugin[];
  const t = await startTestApp(
    'postgres',
    { worker: 'off', redisUrl, redisPrefix: prefix, leaseMs: options.leaseMs },
    plugins,
    {},
    options.databaseUrl,
  );
  const env = {
    DATABASE_URL: t.app.config.databaseUrl!,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    QUNFA_CONFIG: fakeProviderFixture,
    FAKE_PROVIDER_URL: provider.url,
    LEASE_MS: String(options.leaseMs),
    WORKER_CONCURRENCY: '2',
    ...options.env,
  };
  return {
    t,
    provider,
    processes,
    env,
    spawnWorker: () => processes.spawn('worker', env),
    async startCampaign(name) {
      const key = t.a.keys.admin;
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        key,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name,
            audience: { all: true },
            variants: [{ key: 'A', content: { text: '会员日快乐' } }],
            channelPlan: [{ channel: 'channel:fake-provider' }],
            retryPolicy: { networkRetryDelayMs: 200, unknownRetryDelayMs: 200, rateLimitedDelayMs: 200 },
          },
        },
      );
      await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
        id: createCampaign.id,
      });
      return createCampaign.id;
    },
    async stop() {
      await processes.killAll();
      await t.stop();
      await provider.stop();
      if (redisUrl === testRedisUrl) await dropRedisPrefix(prefix);
    },
  };
}

/** Polls `check` until it holds; fails after `timeoutMs` with `what` and `context()`. */
export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
