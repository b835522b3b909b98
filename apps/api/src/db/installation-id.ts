import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Db, rows } from './database.js';

/**
 * This database's installation id: random, made by the first start and kept in `server_settings`,
 * so every API and worker process on the database names it alike (and a copy of another database
 * keeps its origin's id — restore to a new Redis prefix, or delete the row, to part them).
 */
export async function installationId(db: Db, now: Date): Promise<string> {
  await db.execute(sql`INSERT INTO server_settings (name, value, updated_at)
    VALUES ('installation_id', ${randomBytes(12).toString('hex')}, ${now.toISOString()}::timestamptz)
    ON CONFLICT (name) DO NOTHING`);
  const [row] = await rows<{ value: string }>(
    db,
    sql`SELECT value FROM server_settings WHERE name = 'installation_id'`,
  );
  return row!.value;
}
