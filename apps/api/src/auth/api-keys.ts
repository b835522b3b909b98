import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../db/database.js';
import { apiKeys } from '../db/schema/index.js';
import type { KeyAccess, Principal, Role } from './roles.js';

const KEY_PREFIX = 'qf_';
/** A key's last-used time is written at most this often, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A new secret key; only its hash is stored, so it is shown once. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewApiKey {
  workspaceId: number;
  name: string;
  role: Role;
  userId?: number | null;
  access?: KeyAccess;
  operations?: readonly string[] | null;
  rateLimitPerMinute?: number | null;
  persistedOnly?: boolean;
}

export async function createApiKey(
  db: Db,
  input: NewApiKey,
): Promise<{ id: number; key: string; prefix: string }> {
  const key = generateApiKey();
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  const [row] = await db
    .insert(apiKeys)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId ?? null,
      name: input.name,
      role: input.role,
      access: input.access ?? 'full',
      operations: input.operations ? [...input.operations] : null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      persistedOnly: input.persistedOnly ?? false,
      prefix,
      keyHash: hashApiKey(key),
    })
    .returning({ id: apiKeys.id });
  return { id: row!.id, key, prefix };
}

/** When this process last asked to note each key's use, per database: the next ask waits out the resolution. */
const useNoted = new WeakMap<Db, Map<number, number>>();

/** Reads `Bearer <key>` (or a bare key) from a header value. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves a key to its principal (null for unknown or revoked keys) and notes when it was last used. */
export async function authenticate(db: Db, key: string | undefined): Promise<Principal | null> {
  if (!key?.startsWith(KEY_PREFIX)) return null;
  // A prepared statement: every GraphQL request runs it and its text never varies — one round
  // trip instead of two, no parse or plan, and no query builder on every request.
  const [found] = await preparedRows<{
    id: number | string;
    workspace_id: number | string;
    role: string;
    name: string;
    user_id: number | string | null;
    access: string;
    operations: string[] | null;
    rate_limit_per_minute: number | null;
    persisted_only: boolean;
  }>(
    db,
    sql`SELECT id, workspace_id, role, name, user_id, access, to_json(operations) AS operations,
               rate_limit_per_minute, persisted_only
        FROM api_keys WHERE key_hash = ${hashApiKey(key)} AND revoked_at IS NULL`,
  );
  const row = found && {
    id: Number(found.id),
    workspaceId: Number(found.workspace_id),
    role: found.role,
    name: found.name,
    userId: found.user_id === null ? null : Number(found.user_id),
    access: found.access,
    operations: found.operations,
    rateLimitPerMinute: found.rate_limit_per_minute,
    persistedOnly: found.persisted_only,
  };
  if (!row) return null;
  const nowMs = Date.now();
  const lastUseNoted = useNoted.get(db) ?? new Map<number, number>();
  useNoted.set(db, lastUseNoted);
  // At most once per resolution from this process (the statement's own condition covers the
  // others): not a round trip on every request.
  if (nowMs - (lastUseNoted.get(row.id) ?? Number.NEGATIVE_INFINITY) >= LAST_USED_RESOLUTION_MS) {
    lastUseNoted.set(row.id, nowMs);
    if (lastUseNoted.size > 10_000) lastUseNoted.clear();
    const stale = new Date(nowMs - LAST_USED_RESOLUTION_MS);
    // Off the request's path: a failed bookkeeping write never fails the request.
    void db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))))
      .catch(() => lastUseNoted.delete(row.id));
  }
  return {
    workspaceId: row.workspaceId,
    role: row.role as Role,
    keyId: row.id,
    keyName: row.name,
    userId: row.userId,
    access: row.access as KeyAccess,
    operations: row.operations,
    rateLimitPerMinute: row.rateLimitPerMinute,
    persistedOnly: row.persistedOnly,
  };
}
