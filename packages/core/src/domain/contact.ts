/** The identities a contact can be reached by; a channel addresses one kind or more. */
export const identityKinds = [
  'wxid',
  'wecom_userid',
  'wecom_external_userid',
  'oa_openid',
  'unionid',
  'phone',
  'email',
] as const;
export type IdentityKind = (typeof identityKinds)[number];

export interface ContactIdentity {
  kind: IdentityKind;
  value: string;
}

export interface Workspace {
  id: string;
  name: string;
  /** IANA time zone used for quotas, quiet hours and schedules; default Asia/Shanghai. */
  timeZone: string;
}

export interface Contact {
  id: string;
  workspaceId: string;
  name: string | null;
  identities: ContactIdentity[];
  /** Custom attributes, JSON-serialisable. */
  attributes: Record<string, unknown>;
  region: string | null;
  lastActiveAt: Date | null;
  tagIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface Tag {
  id: string;
  workspaceId: string;
  name: string;
  parentId: string | null;
}

/** Why a contact must not receive marketing: recorded on its suppressed delivery. */
export const suppressionReasons = [
  'unsubscribed',
  'blacklisted',
  'complained',
  'erased',
  'no_address',
] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];
