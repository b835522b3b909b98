import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rows } from '../../src/db/database.js';
import { bulkPhone, deliveryStates } from './bulk-contacts.js';
import type { Cluster } from './cluster.js';

/**
 * A campaign to `recipients` bulk contacts ended with each sent once: counters exact and in
 * agreement with the delivery rows, no batch left open, and — by the fake provider's own
 * records — every address delivered exactly once.
 */
export async function expectExactlyOnce(c: Cluster, id: string, recipients: number): Promise<void> {
  const { store, db } = c.t.app.deps;
  const counters = await store.counters(id);
  expect({ sent: counters.sent, failed: counters.failed, total: counters.total }).toEqual({
    sent: recipients,
    failed: 0,
    total: recipients,
  });
  expect(counters.queued + counters.submitted).toBe(0);
  expect(await deliveryStates(db, id)).toEqual({ sent: recipients });
  const [batches] = await rows<{ open: number }>(
    db,
    sql`SELECT count(*) FILTER (WHERE state <> 'done')::int AS open FROM batches WHERE campaign_id = ${Number(id)}`,
  );
  expect(batches!.open).toBe(0);
  const { delivered } = c.provider;
  expect(delivered.size).toBe(recipients);
  expect([...delivered.values()].filter((n) => n !== 1)).toEqual([]);
  expect(delivered.get(bulkPhone(1))).toBe(1);
  expect(delivered.get(bulkPhone(recipients))).toBe(1);
}
