import {
  audienceAsksForGroups,
  audienceExpressionSchema,
  audienceTagIds,
  type Campaign,
  type CampaignState,
  type Contact,
  type SuppressionReason,
} from '@qunfa/core';
import { z } from 'zod';
import { audienceIndexesFor } from '../audience/audience-indexes.js';
import { resolveAudience } from '../audience/resolve-audience.js';
import { authorize, type Principal } from '../auth/roles.js';
import { contactsById } from './contact-rows.js';
import { type CustomerGroupRow, selectGroups } from './customer-groups/group-rows.js';
import type { ServiceDeps } from './deps.js';
import { requireKnownTags } from './tags.js';
import { validate } from './validate.js';

const previewInput = z.object({
  audience: audienceExpressionSchema,
  sampleSize: z.number().int().min(0).max(50).default(10),
  excludeDormant: z.boolean().default(false),
});

export interface AudiencePreview {
  matched: number;
  sendable: number;
  suppressed: { reason: SuppressionReason; count: number }[];
  /**
   * Persons of a person audience; empty for a group audience. Read when first asked for (once),
   * so a preview whose client selects no sample costs no statement for it.
   */
  sample(): Promise<Contact[]>;
  /** Groups of a group audience (one that says `{ groups }`); empty for a person audience. Read as `sample`. */
  groupSample(): Promise<CustomerGroupRow[]>;
  /** `group` when the audience selects customer groups, else `person`. */
  targets: 'person' | 'group';
  asOf: Date;
  /** "12,034 match, 311 suppressed: 280 unsubscribed, 31 complained". */
  summary: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function previewSummary(matched: number, suppressed: AudiencePreview['suppressed']): string {
  const total = suppressed.reduce((a, s) => a + s.count, 0);
  const head = `${fmt(matched)} match, ${fmt(total)} suppressed`;
  return suppressed.length === 0
    ? head
    : `${head}: ${suppressed.map((s) => `${fmt(s.count)} ${s.reason}`).join(', ')}`;
}

/**
 * The exact size of an audience now, who of it would be suppressed and why, and a sample of
 * the sendable rest; fast enough to run on every edit of the expression.
 */
export async function audiencePreview(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
): Promise<AudiencePreview> {
  const p = authorize(principal, 'read');
  const data = validate(previewInput, input);
  const asOf = deps.clock.now();
  // The sync reads the workspace's tags too: checked against them, no statement of its own.
  const index = await audienceIndexesFor(deps.db).synced(p.workspaceId);
  requireKnownTags(audienceTagIds(data.audience), (id) => index.hasTag(id));
  const counts = await resolveAudience(deps.db, p.workspaceId, data.audience, {
    asOf,
    excludeDormant: data.excludeDormant,
    sampleSize: data.sampleSize,
    index,
  });
  const groups = audienceAsksForGroups(data.audience);
  const sample = once(() =>
    groups ? Promise.resolve([]) : contactsById(deps.db, p.workspaceId, counts.sampleIds),
  );
  const groupRows = once(() =>
    groups ? groupSample(deps, p.workspaceId, counts.sampleIds) : Promise.resolve([]),
  );
  return {
    matched: counts.matched,
    sendable: counts.sendable,
    suppressed: counts.suppressed,
    sample,
    groupSample: groupRows,
    targets: groups ? 'group' : 'person',
    asOf,
    summary: previewSummary(counts.matched, counts.suppressed),
  };
}

/** A function that calls `f` the first time and returns that same promise after. */
function once<T>(f: () => Promise<T>): () => Promise<T> {
  let found: Promise<T> | undefined;
  return () => {
    found ??= f();
    return found;
  };
}

async function groupSample(deps: ServiceDeps, workspaceId: number, ids: readonly number[]) {
  if (ids.length === 0) return [];
  const found = await selectGroups(deps.db, workspaceId, { ids }, ids.length);
  const order = new Map(ids.map((id, i) => [String(id), i]));
  return found.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** States before a start: the audience is an expression still, not yet planned deliveries. */
const unplanned: ReadonlySet<CampaignState> = new Set(['draft', 'in_review', 'approved', 'scheduled']);

/**
 * A campaign's audience counted now, for a campaign not started yet (the list shows a draft's
 * size and suppressions); null once it started, when its planned deliveries are its audience.
 */
export async function campaignAudiencePreview(
  deps: ServiceDeps,
  principal: Principal | null,
  campaign: Pick<Campaign, 'state' | 'audience' | 'excludeDormant'>,
): Promise<AudiencePreview | null> {
  if (!unplanned.has(campaign.state)) return null;
  return audiencePreview(deps, principal, {
    audience: campaign.audience,
    excludeDormant: campaign.excludeDormant,
    sampleSize: 0,
  });
}
