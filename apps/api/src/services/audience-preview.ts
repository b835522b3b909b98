import {
  audienceAsksForGroups,
  audienceExpressionSchema,
  audienceTagIds,
  type Campaign,
  type CampaignState,
  type Contact,
  type SuppressionReason,
} from '@qunfa/core';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { resolveAudience } from '../audience/resolve-audience.js';
import { authorize, type Principal } from '../auth/roles.js';
import { contacts } from '../db/schema/index.js';
import { hydrate } from './contact-rows.js';
import { type CustomerGroupRow, selectGroups } from './customer-groups/group-rows.js';
import type { ServiceDeps } from './deps.js';
import { requireTags } from './tags.js';
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
  /** Persons of a person audience; empty for a group audience. */
  sample: Contact[];
  /** Groups of a group audience (one that says `{ groups }`); empty for a person audience. */
  groupSample: CustomerGroupRow[];
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
  await requireTags(deps, p, audienceTagIds(data.audience));
  const asOf = deps.clock.now();
  const counts = await resolveAudience(deps.db, p.workspaceId, data.audience, {
    asOf,
    excludeDormant: data.excludeDormant,
    sampleSize: data.sampleSize,
  });
  const groups = audienceAsksForGroups(data.audience);
  const found =
    counts.sampleIds.length === 0 || groups
      ? []
      : await deps.db
          .select()
          .from(contacts)
          .where(and(eq(contacts.workspaceId, p.workspaceId), inArray(contacts.id, counts.sampleIds)));
  const order = new Map(counts.sampleIds.map((id, i) => [id, i]));
  found.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return {
    matched: counts.matched,
    sendable: counts.sendable,
    suppressed: counts.suppressed,
    sample: await hydrate(deps.db, found),
    groupSample: groups ? await groupSample(deps, p.workspaceId, counts.sampleIds) : [],
    targets: groups ? 'group' : 'person',
    asOf,
    summary: previewSummary(counts.matched, counts.suppressed),
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
