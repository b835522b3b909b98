import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { apiKeys } from '../db/schema/index.js';
import type { Principal, Role } from './roles.js';

const KEY_PREFIX = 'qf_';

/** A new secret key; only its hash is stored, so it is shown once. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(
  db: Db,
  input: { workspaceId: number; name: string; role: Role; userId?: number },
): Promise<{ id: number; key: string }> {
  const key = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId ?? null,
      name: input.name,
      role: input.role,
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(key),
    })
    .returning({ id: apiKeys.id });
  return { id: row!.id, key };
}

/** Reads `Bearer <key>` (or a bare key) from a header value. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves a key to its principal; null for unknown or revoked keys. */
export async function authenticate(db: Db, key: string | undefined): Promise<Principal | null> {
  if (!key?.startsWith(KEY_PREFIX)) return null;
  const [row] = await db
    .select({ id: apiKeys.id, workspaceId: apiKeys.workspaceId, role: apiKeys.role, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  return { workspaceId: row.workspaceId, role: row.role as Role, keyId: row.id, keyName: row.name };
}
