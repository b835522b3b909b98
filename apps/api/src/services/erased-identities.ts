import { createHmac, randomBytes } from 'node:crypto';
import type { ContactIdentity } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';

/**
 * The HMAC key for erased identities: QUNFA_ERASURE_KEY when set (keep it out of the
 * database in production), else a random key per workspace kept in `erasure_keys`.
 */
export async function erasureKey(db: Db, workspaceId: number): Promise<string> {
  const fromEnv = process.env.QUNFA_ERASURE_KEY;
  if (fromEnv) return fromEnv;
  await db.execute(sql`INSERT INTO erasure_keys (workspace_id, key)
    VALUES (${workspaceId}::bigint, ${randomBytes(32).toString('base64')}) ON CONFLICT DO NOTHING`);
  const [row] = await rows<{ key: string }>(
    db,
    sql`SELECT key FROM erasure_keys WHERE workspace_id = ${workspaceId}::bigint`,
  );
  return row!.key;
}

/** The keyed hash of a normalised identity: the only trace an erasure keeps. */
export function identityHash(key: string, identity: ContactIdentity): string {
  return createHmac('sha256', key).update(`${identity.kind}\u0000${identity.value}`).digest('base64url');
}

/**
 * Suppresses, as `erased`, every given contact that carries an identity erased before: it
 * may be contacted again only after a new opt-in. Returns the ids it suppressed.
 */
export async function suppressReturningErased(
  tx: Db,
  workspaceId: number,
  contacts: { id: number; identities: ContactIdentity[] }[],
): Promise<number[]> {
  const withIds = contacts.filter((c) => c.identities.length > 0);
  if (withIds.length === 0) return [];
  const [{ n } = { n: 0 }] = await rows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM erased_identities WHERE workspace_id = ${workspaceId}::bigint`,
  );
  if (n === 0) return [];
  const key = await erasureKey(tx, workspaceId);
  const pairs = withIds.flatMap((c) =>
    c.identities.map((i) => ({ id: c.id, kind: i.kind, hash: identityHash(key, i) })),
  );
  const hit = await rows<{ id: number }>(
    tx,
    sql`INSERT INTO suppressions (workspace_id, contact_id, reason, note)
        SELECT DISTINCT ${workspaceId}::bigint, p.id, 'erased', 'identity erased before: needs a new opt-in'
        FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS p(id bigint, kind text, hash text)
        JOIN erased_identities e ON e.workspace_id = ${workspaceId}::bigint AND e.kind = p.kind AND e.hash = p.hash
        ON CONFLICT DO NOTHING
        RETURNING contact_id AS id`,
  );
  return hit.map((h) => Number(h.id));
}
