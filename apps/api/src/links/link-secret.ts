import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';

/**
 * The key of tracked-link tokens: LINK_SECRET when set, else a random one generated once and
 * kept in `server_secrets`, so every API and worker process signs and verifies alike.
 */
export async function linkSecret(
  db: Db,
  configured: string | undefined,
  now: Date = new Date(),
): Promise<string> {
  if (configured) return configured;
  await db.execute(sql`INSERT INTO server_secrets (name, value, created_at)
    VALUES ('link_tokens', ${randomBytes(32).toString('base64url')}, ${now.toISOString()}::timestamptz) ON CONFLICT DO NOTHING`);
  const [row] = await rows<{ value: string }>(
    db,
    sql`SELECT value FROM server_secrets WHERE name = 'link_tokens'`,
  );
  return row!.value;
}
