import { createHash, timingSafeEqual } from 'node:crypto';
import { QunfaError } from '@qunfa/core';

/** The instance owner: holder of QUNFA_OWNER_KEY, who creates workspaces. Not a member of any. */
export interface Owner {
  owner: true;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when `presented` is the configured owner key (compared in constant time). */
export function isOwnerKey(configured: string | undefined, presented: string | undefined): boolean {
  if (!configured || !presented) return false;
  return timingSafeEqual(digest(configured), digest(presented));
}

export function requireOwner(owner: Owner | null | undefined): Owner {
  if (!owner) {
    throw new QunfaError(
      'FORBIDDEN',
      'only the instance owner (QUNFA_OWNER_KEY, or the `qunfa` CLI) may do this',
      {
        details: { permission: 'owner' },
      },
    );
  }
  return owner;
}
