import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { bulkPhone, deliveryStates, insertPhoneContacts } from './support/bulk-contacts.js';
import { type Cluster, startCluster, waitFor } from './support/cluster.js';

const RECIPIENTS = 2_000;
const MAX_STARTS = 3;
const poison = bulkPhone(1234);

describe('a poison batch: it kills its worker process every time it is sent (PostgreSQL + Redis)', () => {
  let c: Cluster;
  let deaths = 0;
  let stopping = false;
  const logs: (() => string)[] = [];

  /** Keeps a worker running: one that dies is replaced, as a process supervisor would. */
  const supervise = () => {
    const worker = c.spawnWorker();
    logs.push(worker.output);
    void worker.exited.then(() => {
      if (stopping) return;
      deaths++;
      supervise();
    });
  };

  beforeAll(async () => {
    c = await startCluster({
      providerLatencyMs: 20,
      leaseMs: 3000,
      env: { FAKE_PROVIDER_POISON: poison, MAX_BATCH_STARTS: String(MAX_STARTS) },
    });
    await insertPhoneContacts(c.t.app.deps.db, c.t.a.id, RECIPIENTS);
  });
  afterAll(async () => {
    stopping = true;
    await c?.stop();
  });

  it('ends failed after a bounded number of starts, and the rest of the campaign completes', async () => {
    supervise();
    supervise();
    const id = await c.startCampaign('poison');
    const { store, db } = c.t.app.deps;
    await waitFor(
      async () => (await store.getCampaign(id))?.state === 'completed',
      'completion',
      80_000,
      () => logs.map((l) => l().slice(-1500)).join('\n---\n'),
    );

    const [batch] = await rows<{ state: string; starts: number; size: number }>(
      db,
      sql`SELECT b.state, b.starts, b.size FROM batches b
          JOIN deliveries d ON d.batch_id = b.id
          JOIN contact_identities i ON i.contact_id = d.contact_id
          WHERE d.campaign_id = ${Number(id)} AND i.value = ${poison}`,
    );
    // Started MAX_STARTS times, each killing its worker; the next claim gives it up.
    expect(batch).toMatchObject({ state: 'failed', starts: MAX_STARTS + 1 });
    expect(deaths).toBe(MAX_STARTS);

    // Each start submitted the poison batch, so its recipients may have been reached: uncertain,
    // for an operator to resend or drop. Innocent batches ran alone after a crash: all sent.
    const counters = await store.counters(id);
    expect({ sent: counters.sent, uncertain: counters.uncertain, failed: counters.failed }).toEqual({
      sent: RECIPIENTS - batch!.size,
      uncertain: batch!.size,
      failed: 0,
    });
    expect(await deliveryStates(db, id)).toEqual({ sent: RECIPIENTS - batch!.size, uncertain: batch!.size });
    expect(c.provider.delivered.has(poison)).toBe(false);
    expect(c.provider.delivered.size).toBe(RECIPIENTS - batch!.size);
    expect([...c.provider.delivered.values()].every((n) => n === 1)).toBe(true);
  });
});
