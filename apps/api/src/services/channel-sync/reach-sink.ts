import type { Clock, ReachChange, ReachSink } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { rows } from '../../db/database.js';

/**
 * Keeps `contact_reach` current from the callbacks (WeCom `change_external_contact`), in every
 * workspace whose contacts hold the identity: a staff member who added a customer reaches them
 * (again); one the customer deleted, or who deleted the customer, never does. Contacts not
 * imported or synced yet are left for the next sync. An added relation is stamped as seen now
 * (`synced_at`): a full sync that began earlier and missed it does not end it.
 */
export function createReachSink(db: Db, clock: Pick<Clock, 'now'>): ReachSink {
  return {
    async record(channel, changes) {
      let updated = 0;
      for (const c of changes) updated += await apply(db, channel, c, clock.now());
      return { updated };
    },
  };
}

async function apply(db: Db, channel: string, c: ReachChange, now: Date): Promise<number> {
  const holders = sql`SELECT workspace_id, contact_id FROM contact_identities WHERE kind = ${c.identity.kind} AND value = ${c.identity.value}`;
  if (c.change === 'added') {
    const done = await rows<{ n: number }>(
      db,
      sql`WITH w AS (
            INSERT INTO contact_reach (workspace_id, contact_id, channel, account, added_at, synced_at)
            SELECT workspace_id, contact_id, ${channel}, ${c.account}, ${c.at.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz FROM (${holders}) h
            ON CONFLICT (contact_id, channel, account) DO UPDATE SET removed_by = NULL, updated_at = ${now.toISOString()}::timestamptz,
              synced_at = ${now.toISOString()}::timestamptz
              WHERE contact_reach.removed_by IS NOT NULL
            RETURNING 1)
          SELECT count(*)::int AS n FROM w`,
    );
    return done[0]?.n ?? 0;
  }
  const by = c.change === 'removed_by_staff' ? 'by_staff' : 'by_customer';
  const done = await rows<{ n: number }>(
    db,
    sql`WITH w AS (
          UPDATE contact_reach r SET removed_by = ${by}, updated_at = ${now.toISOString()}::timestamptz
          FROM (${holders}) h
          WHERE r.contact_id = h.contact_id AND r.channel = ${channel} AND r.account = ${c.account}
            AND r.removed_by IS DISTINCT FROM ${by}
          RETURNING 1)
        SELECT count(*)::int AS n FROM w`,
  );
  return done[0]?.n ?? 0;
}
