import { settledCount } from '@qunfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkPhone, deliveryStates, insertPhoneContacts } from './support/bulk-contacts.js';
import { type Cluster, startCluster, waitFor } from './support/cluster.js';
import { gqlOk } from './support/graphql-client.js';
import { type PrivateRedis, startPrivateRedis } from './support/private-services.js';

const RECIPIENTS = 4_000;
/** The provider's limit, held by the limiter across both workers: 4,000 take 40 s at it. */
const RATE = 100;
const OUTAGE_MS = Number(process.env.FAULT_REDIS_OUTAGE_MS ?? 30_000);
/** A send that had its tokens before Redis went away may still reach the provider this long after. */
const IN_FLIGHT_GRACE_MS = 5_000;

describe('Redis stopped for 30 s mid-campaign, then started again empty (2 worker processes)', () => {
  let redis: PrivateRedis;
  let c: Cluster;
  beforeAll(async () => {
    // A Redis of this test's own: the shared one on 6379 is never stopped.
    redis = await startPrivateRedis();
    c = await startCluster({
      providerLatencyMs: 20,
      leaseMs: 5000,
      redisUrl: redis.url,
      env: { FAKE_PROVIDER_RATE: String(RATE) },
    });
    await insertPhoneContacts(c.t.app.deps.db, c.t.a.id, RECIPIENTS);
  });
  afterAll(async () => {
    if (redis && !redis.running) await redis.start();
    await c?.stop();
    await redis?.close();
  });

  it('pauses, resumes on its own, sends everyone exactly once, and the limit holds across workers after', async () => {
    const workers = [c.spawnWorker(), c.spawnWorker()];
    const logs = () => workers.map((w) => w.output().slice(-3000)).join('\n---\n');
    const { store } = c.t.app.deps;
    const id = await c.startCampaign('redis outage');

    await waitFor(async () => settledCount(await store.counters(id)) >= 1_000, '1000 settled', 60_000, logs);
    const stoppedAt = Date.now();
    await redis.stop();
    const settledAtStop = settledCount(await store.counters(id));

    // The API keeps answering from PostgreSQL while Redis is away.
    const during = await gqlOk<{ campaign: { counters: { total: number } } }>(
      c.t.url,
      c.t.a.keys.admin,
      'query($id: ID!) { campaign(id: $id) { counters { total } } }',
      { id },
    );
    expect(during.campaign.counters.total).toBe(RECIPIENTS);

    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const settledBeforeRestart = settledCount(await store.counters(id));
    const restartedAt = Date.now();
    await redis.start();

    await waitFor(
      async () => (await store.getCampaign(id))?.state === 'completed',
      'completion after Redis came back',
      120_000,
      logs,
    );
    // The workers came through on their own: both still running.
    expect(workers.map((w) => w.child.exitCode)).toEqual([null, null]);

    const counters = await store.counters(id);
    expect({ sent: counters.sent, failed: counters.failed, total: counters.total }).toEqual({
      sent: RECIPIENTS,
      failed: 0,
      total: RECIPIENTS,
    });
    expect(counters.queued + counters.submitted).toBe(0);
    expect(await deliveryStates(c.t.app.deps.db, id)).toEqual({ sent: RECIPIENTS });
    const { delivered, requests } = c.provider;
    expect(delivered.size).toBe(RECIPIENTS);
    expect([...delivered.values()].filter((n) => n !== 1)).toEqual([]);
    expect(delivered.get(bulkPhone(RECIPIENTS))).toBe(1);

    // Paused: once the sends in flight had landed, nothing reached the provider until Redis was back.
    const sentWhileDown = requests
      .filter((r) => r.at > stoppedAt + IN_FLIGHT_GRACE_MS && r.at < restartedAt)
      .reduce((n, r) => n + r.messages, 0);
    expect(sentWhileDown).toBe(0);
    expect(settledBeforeRestart).toBeLessThan(RECIPIENTS);
    expect(settledAtStop).toBeGreaterThan(0);

    // After the restart the limit still holds for the two workers together. What may go out
    // beyond the rate over the time taken: the new Redis's bucket, full (it starts empty), its
    // refill by one command sent before the crash and run again after it, and the tokens that
    // batches waiting for the rest of theirs had already gathered before the outage (2 workers
    // × 2 batches × 100). Two per-process limiters would have sent ~1,500 more than the rate.
    const after = requests.filter((r) => r.at >= restartedAt);
    const sentAfter = after.reduce((n, r) => n + r.messages, 0);
    const spanS = (after.at(-1)!.at - restartedAt) / 1000;
    const burst = RATE;
    const gatheredBefore = 2 * 2 * 100;
    if (process.env.FAULT_DEBUG)
      console.log(
        JSON.stringify({ spanS, sentAfter, arrivals: after.map((r) => [r.at - restartedAt, r.messages]) }),
      );
    expect(sentAfter).toBeGreaterThan(RATE * 5);
    expect(sentAfter).toBeLessThanOrEqual(RATE * spanS + 2 * burst + gatheredBefore);
  }, 300_000);
});
