import type { Db } from '@qunfa/api/src/db/database.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { sql } from 'drizzle-orm';

/**
 * A workspace and `count` contacts with a phone each and a spread of last-active times,
 * set-based: two statements, whatever the count.
 */
export async function seedContacts(db: Db, count: number): Promise<number> {
  const [ws] = await db.insert(workspaces).values({ name: 'bench' }).returning();
  const id = ws!.id;
  await db.execute(sql`
    INSERT INTO contacts (workspace_id, name, last_active_at)
    SELECT ${id}::bigint, 'c' || g, now() - (g % 5000) * interval '1 hour'
    FROM generate_series(1, ${count}::int) g`);
  await db.execute(sql`
    INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
    SELECT workspace_id, id, 'phone', '+86' || (13000000000 + id)::text FROM contacts WHERE workspace_id = ${id}::bigint`);
  await db.execute(sql`ANALYZE`);
  return id;
}
