import { settledCount } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { bulkPhone, deliveryStates, insertPhoneContacts } from './support/bulk-contacts.js';
import type { QunfaProcess } from './support/child-processes.js';
import { type Cluster, startCluster, waitFor } from './support/cluster.js';

const RECIPIENTS = 20_000;

describe('crash safety: 2 worker processes, one killed -9 three times (PostgreSQL + Redis)', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A 3 s lease, so that a dead worker's batches are taken over within seconds.
    c = await startCluster({ providerLatencyMs: 150, leaseMs: 3000 });
    await insertPhoneContacts(c.t.app.deps.db, c.t.a.id, RECIPIENTS);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('completes with every recipient counted once and delivered once', async () => {
    const workers: QunfaProcess[] = [c.spawnWorker(), c.spawnWorker()];
    const logs = () => workers.map((w) => w.output().slice(-2000)).join('\n---\n');
    const id = await c.startCampaign('crash');
    const { store } = c.t.app.deps;

    for (const threshold of [3_000, 8_000, 13_000]) {
      await waitFor(
        async () => settledCount(await store.counters(id)) >= threshold,
        `${threshold} settled`,
        60_000,
        logs,
      );
      await c.processes.kill9(workers.shift()!);
      workers.push(c.spawnWorker());
    }
    await waitFor(
      async () => (await store.getCampaign(id))?.state === 'completed',
      'completion',
      60_000,
      logs,
    );

    const counters = await store.counters(id);
    expect({ sent: counters.sent, failed: counters.failed, total: counters.total }).toEqual({
      sent: RECIPIENTS,
      failed: 0,
      total: RECIPIENTS,
    });
    expect(counters.queued + counters.submitted).toBe(0);
    expect(await deliveryStates(c.t.app.deps.db, id)).toEqual({ sent: RECIPIENTS });

    const { delivered } = c.provider;
    expect(delivered.size).toBe(RECIPIENTS);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(delivered.get(bulkPhone(1))).toBe(1);
    expect(delivered.get(bulkPhone(RECIPIENTS))).toBe(1);

    // The kills did land mid-run: batches were taken over from a dead worker.
    const [restarted] = await rows<{ n: number }>(
      c.t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM batches WHERE campaign_id = ${Number(id)} AND starts > 1`,
    );
    expect(restarted!.n).toBeGreaterThan(0);
  });
});
