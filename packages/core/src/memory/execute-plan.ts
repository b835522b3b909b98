import { matchesAudience } from '../domain/audience.js';
import { type Contact, isDormant, type SuppressionReason } from '../domain/contact.js';
import { variantBucket } from '../domain/variant-bucket.js';
import type { CampaignPlan, PlanSummary } from '../ports/store.js';

/** One recipient as the plan decided it. */
export interface PlannedDelivery {
  contactId: string;
  /** Null in an A/B test's hold-out and rest. */
  variantId: string | null;
  /** An A/B test's rest: planned with its channel, no batch. */
  waiting: boolean;
  /** The plan step's channel; null when suppressed. */
  channel: string | null;
  suppressionReason: SuppressionReason | null;
  /** Index into `batches`; null when suppressed. */
  batch: number | null;
}

export interface PlannedBatch {
  channel: string;
  account: string | null;
  seq: number;
  dueAt: Date;
  size: number;
}

/** Whether a resend's source delivery channels include one of a plan step's providers. */
function resentOn(channels: ReadonlySet<string>, step: CampaignPlan['channels'][number]): boolean {
  return [step.channel, ...(step.failover ?? [])].some((c) => channels.has(c));
}

/** Numeric ids compare as numbers (SQL stores use bigint ids); others as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most recently active first, never active last, then by contact id. */
export function byActivity(a: Contact, b: Contact): number {
  const x = a.lastActiveAt?.getTime();
  const y = b.lastActiveAt?.getTime();
  if (x !== y) {
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return y - x;
  }
  return compareIds(a.id, b.id);
}

/** How long after the first batch batch `seq` of `count` is due. */
function dueOffsetMs(plan: CampaignPlan, seq: number, count: number): number {
  if (plan.spreadOverMs === undefined) return seq * plan.batchIntervalMs;
  return count <= 1 ? 0 : Math.floor((seq * plan.spreadOverMs) / (count - 1));
}

/**
 * The plan executed with plain loops: the reference semantics of `Store.startCampaign`.
 * The audience is evaluated as of `plan.firstDueAt` (last-active predicates, dormancy);
 * `tagsUnder` gives a tag's descendants for `{ tagUnder }`; `restrictedTo`, for a resend run,
 * the only contacts it may plan, each with the variant of its source delivery, and
 * `resentChannels` the channels of a contact's source deliveries (an all-channels resend plans
 * only the steps whose message it resends); `reachable` leaves out a channel whose relations
 * with the contact all ended.
 */
export function executePlan(
  plan: CampaignPlan,
  contacts: Iterable<Contact>,
  suppressionsOf: (contactId: string) => ReadonlySet<SuppressionReason>,
  tagsUnder?: (tagId: string) => ReadonlySet<string>,
  restrictedTo?: ReadonlyMap<string, string | null>,
  resentChannels?: (contactId: string) => ReadonlySet<string>,
  /** Whether the contact can still be reached on a channel (its relations there not all ended). Default: yes. */
  reachable: (contactId: string, channel: string) => boolean = () => true,
  /** The accounts a contact is still reachable through (a group's owner, for `{ groups: { owners } }`). */
  ownersOf?: (contactId: string) => readonly string[],
): { deliveries: PlannedDelivery[]; batches: PlannedBatch[]; summary: PlanSummary } {
  const context = { asOf: plan.firstDueAt, ...(tagsUnder ? { tagsUnder } : {}) };
  const subject = (c: Contact) => (c.kind === 'group' ? { ...c, owners: ownersOf?.(c.id) ?? [] } : c);
  const audience = [...contacts]
    .filter((c) => c.workspaceId === plan.workspaceId && matchesAudience(plan.audience, subject(c), context))
    .filter((c) => !restrictedTo || restrictedTo.has(c.id))
    .filter((c) => !plan.onlyContacts || plan.onlyContacts.includes(c.id))
    .sort(byActivity);
  const summary: PlanSummary = { total: 0, queued: 0, waiting: 0, suppressed: {}, batches: 0 };
  const inRange = (r: { fromBucket: number; toBucket: number } | null | undefined, bucket: number) =>
    !!r && bucket >= r.fromBucket && bucket < r.toBucket;
  const deliveries: PlannedDelivery[] = [];
  const perChannel = plan.channels.map((): PlannedDelivery[] => []);
  // First-channel mode: each step takes recipients while its capacity lasts, in recipient order.
  const room = plan.channels.map((c) => c.capacity ?? Number.POSITIVE_INFINITY);
  const moved = new Map<number, { from: string; to: string; count: number }>();
  const roomy = (steps: number[]): number => {
    const step = steps.find((i) => room[i]! > 0) ?? steps[0]!;
    room[step] = room[step]! - 1;
    if (step !== steps[0]) {
      const key = steps[0]! * plan.channels.length + step;
      const entry = moved.get(key) ?? {
        from: plan.channels[steps[0]!]!.channel,
        to: plan.channels[step]!.channel,
        count: 0,
      };
      entry.count++;
      moved.set(key, entry);
    }
    return step;
  };

  for (const contact of audience) {
    const bucket = variantBucket(contact.id, plan.variantSeed);
    const sourceVariant = restrictedTo?.get(contact.id);
    const kept = plan.restrictTo?.variants?.find((v) => v.sourceVariantId === sourceVariant);
    const variant = kept ? { id: kept.variantId } : plan.variants.find((v) => inRange(v, bucket));
    const holdout = !variant && inRange(plan.abTest?.holdout, bucket);
    const rest = !variant && inRange(plan.abTest?.rest, bucket);
    if (!variant && !holdout && !rest) continue;
    const recorded = suppressionsOf(contact.id);
    const held = isDormant(contact.lastActiveAt, plan.firstDueAt, contact.kind)
      ? new Set<SuppressionReason>([...recorded, 'dormant'])
      : recorded;
    const kinds = new Set(contact.identities.map((i) => i.kind));
    const steps = plan.channels.flatMap((c, i) =>
      c.identityKinds.some((k) => kinds.has(k)) && reachable(contact.id, c.channel) ? [i] : [],
    );
    const reason: SuppressionReason | undefined =
      plan.suppress.find((r) => held.has(r)) ??
      (steps.length === 0 ? 'no_address' : holdout ? 'ab_holdout' : undefined);
    // All channels: a delivery per step that can address the contact (a resend: those it resends).
    const sending = reason
      ? []
      : plan.channelMode === 'all'
        ? steps.filter((i) => !resentChannels || resentOn(resentChannels(contact.id), plan.channels[i]!))
        : [rest ? steps[0]! : roomy(steps)];
    for (const step of reason ? [steps[0] ?? -1] : sending) {
      const delivery: PlannedDelivery = {
        contactId: contact.id,
        variantId: variant?.id ?? null,
        waiting: !reason && rest,
        channel: reason ? null : (plan.channels[step]?.channel ?? null),
        suppressionReason: reason ?? null,
        batch: null,
      };
      deliveries.push(delivery);
      summary.total++;
      if (reason) summary.suppressed[reason] = (summary.suppressed[reason] ?? 0) + 1;
      else if (delivery.waiting) summary.waiting++;
      else {
        summary.queued++;
        perChannel[step]?.push(delivery);
      }
    }
  }

  const batches: PlannedBatch[] = [];
  plan.channels.forEach((channel, step) => {
    const queued = perChannel[step] ?? [];
    const size = Math.max(1, channel.batchSize);
    for (let from = 0, n = 0; from < queued.length; from += size, n++) {
      const seq = batches.length;
      const members = queued.slice(from, from + size);
      for (const d of members) d.batch = seq;
      batches.push({
        channel: channel.channel,
        account: channel.accounts.length > 0 ? (channel.accounts[n % channel.accounts.length] ?? null) : null,
        seq,
        dueAt: plan.firstDueAt,
        size: members.length,
      });
    }
  });
  summary.batches = batches.length;
  // In plan order of the step left, then of the step taken.
  if (moved.size > 0) summary.movedForQuota = [...moved].sort(([a], [b]) => a - b).map(([, m]) => m);
  for (const b of batches)
    b.dueAt = new Date(plan.firstDueAt.getTime() + dueOffsetMs(plan, b.seq, batches.length));
  return { deliveries, batches, summary };
}
