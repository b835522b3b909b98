import { connect, createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rows } from '../src/db/database.js';
import { createHealth } from '../src/ops/health.js';
import { twoChannel } from './fixtures/two-channel.config.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { waitFor } from './support/cluster.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTwoChannelProvider, type TwoChannelProvider } from './support/two-channel-provider.js';

/**
 * A TCP relay in front of PostgreSQL whose open connections can go silent, as when the server's
 * host stops answering without a reset (packets dropped, an address moved by a failover): what
 * is written on them goes nowhere, nothing comes back, and neither side closes. Connections made
 * afterwards reach the server as usual.
 */
async function silenceableRelay(target: URL) {
  const pairs = new Set<{ client: Socket; server: Socket; silent: boolean }>();
  const relay: Server = createServer((client) => {
    const server = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, server, silent: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.silent) server.write(d);
    });
    server.on('data', (d) => {
      if (!pair.silent) client.write(d);
    });
    for (const s of [client, server]) s.on('error', () => {});
    client.on('close', () => {
      server.destroy();
      pairs.delete(pair);
    });
    server.on('close', () => {
      if (!pair.silent) client.destroy();
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as { port: number }).port);
  return {
    url: url.toString(),
    /** Every connection open now goes silent; how many there were. */
    silence() {
      for (const p of pairs) p.silent = true;
      return pairs.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.client.destroy();
          p.server.destroy();
        }
        relay.close(() => resolve());
      }),
  };
}

const codeOf = (error: unknown) => {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
};

describe('a PostgreSQL host gone silent (PostgreSQL through a relay that stops forwarding)', () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof silenceableRelay>>;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    relay = await silenceableRelay(new URL(database.url!));
  }, 60_000);
  afterAll(async () => {
    await relay?.close();
    await database?.drop();
  });

  it('ends the silent connections, so queries fail instead of hanging and the pool and readiness recover; a long statement is left alone', async () => {
    const ended: string[] = [];
    const watched = await openDatabase({
      url: relay.url,
      poolSize: 4,
      silenceMs: 2000,
      onSilentConnection: (reason) => ended.push(reason),
    });
    // Without the check (as before): a query on a silent connection neither answers nor fails.
    const unwatched = await openDatabase({ url: relay.url, poolSize: 2, silenceMs: 0 });
    let health: ReturnType<typeof createHealth> | undefined;
    try {
      // A statement that runs longer than the silence is not taken for a silent host.
      expect(await rows(watched.db, sql`SELECT pg_sleep(4)::text AS slept`)).toEqual([{ slept: '' }]);
      expect(ended).toEqual([]);

      const warm = (db: Database) =>
        Promise.all(Array.from({ length: 4 }, () => rows(db.db, sql`SELECT pg_sleep(0.05)`)));
      await warm(watched);
      await warm(unwatched);
      expect(relay.silence()).toBeGreaterThanOrEqual(5);

      const hanging = rows(unwatched.db, sql`SELECT 1 AS one`).then(
        () => 'answered',
        () => 'failed',
      );
      const started = performance.now();
      const error = await rows(watched.db, sql`SELECT 1 AS one`).catch((e: unknown) => e);
      const failedAfter = performance.now() - started;
      expect(codeOf(error)).toBe('CONNECTION_SILENT');
      expect(failedAfter).toBeLessThan(12_000);
      expect(ended.length).toBeGreaterThan(0);
      expect(
        ended.every((r) =>
          ['backend idle', 'server unreachable', 'idle beside a silent connection'].includes(r),
        ),
      ).toBe(true);
      // Readiness asks again past connections that were dropped under it, and the pool opens new ones.
      health = createHealth({
        db: watched.db,
        logger: silentLogger,
        staleMs: 60_000,
        queueLagWarnSeconds: 300,
        timeoutMs: 5_000,
        stopping: () => false,
      });
      expect((await health.ready()).checks.database).toMatchObject({ status: 'ok' });
      expect(await rows(watched.db, sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
      // The unwatched pool's query is still waiting, seconds later.
      expect(
        await Promise.race([hanging, new Promise((r) => setTimeout(() => r('still waiting'), 1000))]),
      ).toBe('still waiting');
    } finally {
      await health?.close();
      await watched.close();
      await unwatched.close().catch(() => {});
    }
  }, 60_000);
});

describe('a campaign whose database connections go silent mid-send (PostgreSQL through a relay, in-process worker)', () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof silenceableRelay>>;
  let provider: TwoChannelProvider;
  let t: TestApp;
  const RECIPIENTS = 300;
  const providerUrl = process.env.TWO_CHANNEL_PROVIDER_URL;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    relay = await silenceableRelay(new URL(database.url!));
    provider = await startTwoChannelProvider({ latencyMs: 400, receiptAfterMs: 100, delivered: () => false });
    process.env.TWO_CHANNEL_PROVIDER_URL = provider.url;
    t = await startTestApp(
      'postgres',
      { leaseMs: 3000, workerConcurrency: 2, databaseSilenceMs: 1000 },
      [twoChannel('b')()],
      {},
      relay.url,
    );
    await insertPhoneContacts(t.app.deps.db, t.a.id, RECIPIENTS);
  }, 120_000);
  afterAll(async () => {
    // The relay's connections end first (as a reset would end them): whatever still waits on a silent
    // one (the event bus's LISTEN) fails, and the app stops.
    await relay?.close();
    await t?.stop();
    await provider?.stop();
    await database?.drop();
    if (providerUrl === undefined) delete process.env.TWO_CHANNEL_PROVIDER_URL;
    else process.env.TWO_CHANNEL_PROVIDER_URL = providerUrl;
  });

  it('sends everyone exactly once: a batch whose settlement went silent is claimed again when its lease ends and sent under its key', async () => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'silent',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日快乐' } }],
          channelPlan: [{ channel: 'channel:fake-b', batchSize: 10 }],
          retryPolicy: { networkRetryDelayMs: 200, unknownRetryDelayMs: 200, rateLimitedDelayMs: 200 },
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    // Silence as soon as a send is with the provider (it answers after 400 ms): that batch's
    // settlement goes out on a connection that no longer answers.
    await waitFor(async () => provider.taken.length >= 60, 'a third sent', 60_000);
    expect(relay.silence()).toBeGreaterThan(0);
    // This process's own reads go through the relay too: one on a connection that went silent fails.
    await waitFor(
      async () => (await t.app.deps.store.getCampaign(id).catch(() => undefined))?.state === 'completed',
      'completion',
      120_000,
    );
    expect(provider.taken).toHaveLength(RECIPIENTS);
    expect(new Set(provider.taken.map((m) => m.to)).size).toBe(RECIPIENTS);
    // The batches in flight were sent again under their keys and answered from the provider's record.
    expect(provider.replayed).toBeGreaterThan(0);
    const [restarted] = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM batches WHERE campaign_id = ${Number(id)} AND starts > 1`,
    );
    expect(restarted!.n).toBeGreaterThan(0);
    const counters = await t.app.deps.store.counters(id);
    expect({ total: counters.total, sent: counters.sent, failed: counters.failed }).toEqual({
      total: RECIPIENTS,
      sent: RECIPIENTS,
      failed: 0,
    });
  }, 180_000);
});
