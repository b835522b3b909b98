import { QunfaError } from '@qunfa/core';

export const roles = ['admin', 'operator', 'approver', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** What each role may do; reading is open to every role of the workspace. */
const permissions = {
  read: ['admin', 'operator', 'approver', 'viewer'],
  write: ['admin', 'operator'],
  approve: ['admin', 'approver'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

/** The caller, resolved from its API key: every query is scoped to `workspaceId`. */
export interface Principal {
  workspaceId: number;
  role: Role;
  keyId: number;
  keyName: string;
  /** The member the key was issued to; null for a service key. */
  userId?: number | null;
  /** `read_only` keys may only read, whatever their role. Default full. */
  access?: KeyAccess;
  /** Root fields the key may call; null or unset: every field its role allows. */
  operations?: readonly string[] | null;
  /** Requests a minute; null or unset: the server's default. */
  rateLimitPerMinute?: number | null;
  /** Only documents of the workspace's persisted-operation allow-list, by hash. */
  persistedOnly?: boolean;
}

export const keyAccesses = ['full', 'read_only'] as const;
export type KeyAccess = (typeof keyAccesses)[number];

export function can(principal: Principal, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(principal.role);
}

/** Throws UNAUTHENTICATED without a principal, FORBIDDEN when its role lacks the permission. */
export function authorize(principal: Principal | null, permission: Permission): Principal {
  if (!principal)
    throw new QunfaError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)');
  if (permission !== 'read' && principal.access === 'read_only') {
    throw new QunfaError('FORBIDDEN', `this key is read-only: it may not ${permission}`, {
      details: { access: 'read_only', permission },
    });
  }
  if (!can(principal, permission)) {
    throw new QunfaError('FORBIDDEN', `the ${principal.role} role may not ${permission}`, {
      details: { role: principal.role, permission },
    });
  }
  return principal;
}
