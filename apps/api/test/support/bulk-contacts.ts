import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../src/db/database.js';

/** The phone number of the i-th bulk contact (1-based). */
export const bulkPhone = (i: number) => `+86139${String(i).padStart(8, '0')}`;

/** Inserts `count` contacts with a phone each, set-based, in one statement pair. */
export async function insertPhoneContacts(db: Db, workspaceId: number, count: number): Promise<void> {
  await db.execute(sql`
    WITH made AS (
      INSERT INTO contacts (workspace_id, name)
      SELECT ${workspaceId}::bigint, 'bulk ' || g FROM generate_series(1, ${count}::int) g
      RETURNING id, name)
    INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
    SELECT ${workspaceId}::bigint, id, 'phone', '+86139' || lpad(substr(name, 6), 8, '0') FROM made`);
}

/** Deliveries of a campaign by state, read from the rows themselves. */
export async function deliveryStates(db: Db, campaignId: string): Promise<Record<string, number>> {
  const found = await rows<{ state: string; n: number }>(
    db,
    sql`SELECT state, count(*)::int AS n FROM deliveries WHERE campaign_id = ${Number(campaignId)} GROUP BY state`,
  );
  return Object.fromEntries(found.map((r) => [r.state, r.n]));
}
