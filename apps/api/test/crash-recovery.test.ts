import { settledCount } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import type { QunfaProcess } from './support/child-processes.js';
import { type Cluster, startCluster, waitFor } from './support/cluster.js';
import { expectExactlyOnce } from './support/exactly-once.js';

const RECIPIENTS = 50_000;
/** When each kill lands: spread over the campaign, the last with most of it sent. */
const KILL_AT = [4_000, 12_000, 20_000, 28_000, 36_000];

describe('crash safety: 2 worker processes, one killed -9 five times during 50,000 recipients (PostgreSQL + Redis)', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A 3 s lease, so that a dead worker's batches are taken over within seconds.
    c = await startCluster({ providerLatencyMs: 20, leaseMs: 3000 });
    await insertPhoneContacts(c.t.app.deps.db, c.t.a.id, RECIPIENTS);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("sends every recipient exactly once, by the provider's own records, and counts each once", async () => {
    const workers: QunfaProcess[] = [c.spawnWorker(), c.spawnWorker()];
    const logs = () => workers.map((w) => w.output().slice(-2000)).join('\n---\n');
    const id = await c.startCampaign('crash');
    const { store, db } = c.t.app.deps;
    const settledAtKill: number[] = [];
    for (const threshold of KILL_AT) {
      await waitFor(
        async () => settledCount(await store.counters(id)) >= threshold,
        `${threshold} settled`,
        // The first waits for the workers to start too (over 100 s on a loaded machine).
        threshold === KILL_AT[0] ? 240_000 : 180_000,
        logs,
      );
      // The older worker dies mid-send (no shutdown hook runs); a new one takes its place.
      await c.processes.kill9(workers.shift()!);
      settledAtKill.push(settledCount(await store.counters(id)));
      workers.push(c.spawnWorker());
    }
    await waitFor(
      async () => (await store.getCampaign(id))?.state === 'completed',
      'completion',
      300_000,
      logs,
    );
    // Every kill landed before the end.
    expect(settledAtKill.every((n) => n < RECIPIENTS)).toBe(true);
    await expectExactlyOnce(c, id, RECIPIENTS);

    // The kills landed mid-send: batches a dead worker held were run again (under their
    // idempotency keys, so what it had already sent was not delivered twice).
    const [restarted] = await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM batches WHERE campaign_id = ${Number(id)} AND starts > 1`,
    );
    expect(restarted!.n).toBeGreaterThan(0);
  }, 900_000);
});
