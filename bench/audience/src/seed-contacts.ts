import type { Db } from '@qunfa/api/database';
import { rows } from '@qunfa/api/database';
import { sql } from 'drizzle-orm';
import { loadAverage } from './api-process.js';

export interface SeedOptions {
  contacts: number;
  tags: number;
  /** Give each contact a phone identity (a campaign needs one to send to). */
  identities: boolean;
  say(line: string): void;
}

/**
 * Contacts with a province, a device, a last activity (a fifth never active), a phone when
 * asked, and 1–6 tag draws each from a power law over `tags` tags (rank 0 on about a third of
 * the contacts, the last on well under 1%). Set-based: a few statements whatever the count.
 */
export async function seedContacts(db: Db, o: SeedOptions): Promise<{ workspaceId: number; tags: number[] }> {
  const [ws] = await rows<{ id: number }>(
    db,
    sql`INSERT INTO workspaces (name, max_tags) VALUES ('bench', ${o.tags + 10}) RETURNING id`,
  );
  const workspaceId = Number(ws!.id);
  const tags = (
    await rows<{ id: number }>(
      db,
      sql`INSERT INTO tags (workspace_id, name) SELECT ${workspaceId}::bigint, '标签' || i
          FROM generate_series(1, ${o.tags}::int) i ORDER BY i RETURNING id`,
    )
  ).map((t) => Number(t.id));
  const step = 1_000_000;
  for (let from = 1; from <= o.contacts; from += step) {
    const to = Math.min(o.contacts, from + step - 1);
    await db.execute(sql`SELECT setseed(${(from % 1000) / 1000})`);
    await db.execute(sql`
      INSERT INTO contacts (workspace_id, name, province, device, last_active_at, tag_ids)
      SELECT ${workspaceId}::bigint, 'c' || g,
        (ARRAY['浙江省','广东省','上海市','北京市','四川省','江苏省','湖北省','福建省'])[1 + (g * 7) % 8],
        (ARRAY['ios','android','harmonyos','windows'])[1 + (g * 13) % 4],
        CASE WHEN g % 5 = 0 THEN NULL ELSE now() - ((g::bigint * 7919) % 2880) * interval '1 hour' END,
        ARRAY(SELECT DISTINCT (${`{${tags.join(',')}}`}::bigint[])[1 + floor(${o.tags}::int * random() ^ 2.2)::int]
              FROM generate_series(1, 1 + g % 6) k)
      FROM generate_series(${from}::int, ${to}::int) g`);
    o.say(`  ${to.toLocaleString('en-US')} contacts written (load ${loadAverage()})`);
  }
  if (o.identities)
    await db.execute(sql`
      INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
      SELECT workspace_id, id, 'phone', '+86' || (13000000000 + id)::text FROM contacts WHERE workspace_id = ${workspaceId}::bigint`);
  await db.execute(sql`ANALYZE`);
  return { workspaceId, tags };
}
