import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../src/db/database.js';

/** Row counts of every table of the public schema, to prove a refused call wrote nothing. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = await rows<{ name: string }>(
    db,
    sql`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await rows<{ n: number }>(db, sql.raw(`SELECT count(*)::int AS n FROM "${name}"`));
    counts[name] = row!.n;
  }
  return counts;
}
