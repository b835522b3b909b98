/** The identities a contact can be reached by; a channel addresses one kind or more. */
export const identityKinds = [
  'wxid',
  'wecom_userid',
  'wecom_external_userid',
  /** A WeCom customer group (客户群, `chat_id`): a group contact, reached through its owner. */
  'wecom_chat_id',
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

/** A person, or a group (a WeCom customer group) that is a target of its own. */
export const contactKinds = ['person', 'group'] as const;
export type ContactKind = (typeof contactKinds)[number];

export interface Contact {
  id: string;
  workspaceId: string;
  /** Default `person`. A group is selected only by an audience that asks for groups, and is never dormant. */
  kind?: ContactKind;
  name: string | null;
  identities: ContactIdentity[];
  /** Custom attributes, JSON-serialisable. */
  attributes: Record<string, unknown>;
  /** Free-text region as entered (e.g. "浙江 杭州"); predicates use province / city / district. */
  region: string | null;
  province?: string | null;
  city?: string | null;
  district?: string | null;
  /** Device family, lower case: ios, android, harmonyos, windows, macos, other. */
  device?: string | null;
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
  'dormant',
  'no_address',
  /** In an A/B test's hold-out: recorded, never sent. */
  'ab_holdout',
  /** The contact replied "not interested" (or complained) to this campaign: no more of its follow-ups. */
  'opted_out',
  /** Not sent: its campaign was cancelled first. */
  'cancelled',
] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** Reasons recorded on a contact (a row in the suppressions table), as opposed to computed ones. */
export const recordedSuppressionReasons = ['unsubscribed', 'blacklisted', 'complained', 'erased'] as const;
export type RecordedSuppressionReason = (typeof recordedSuppressionReasons)[number];

/** A contact inactive this long (or never active) is dormant; campaigns may opt to skip them. */
export const DORMANT_AFTER_DAYS = 30;

/** Whether a contact counts as dormant at `asOf` (a group never is: it has no activity of its own). */
export function isDormant(lastActiveAt: Date | null | undefined, asOf: Date, kind?: ContactKind): boolean {
  if (kind === 'group') return false;
  return !lastActiveAt || lastActiveAt.getTime() < asOf.getTime() - DORMANT_AFTER_DAYS * 86_400_000;
}
