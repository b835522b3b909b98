import {
  type Counters,
  counterFor,
  type DeliveryState,
  deliveryStates,
  emptyCounters,
  type FailureClass,
  failureClasses,
} from '@qunfa/core';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { batches, deliveries } from '../db/schema/index.js';
import { textArrayLiteral } from '../store/pg-array.js';
import { requireCampaign } from './campaigns.js';
import { effectiveState } from './deliveries.js';
import type { ServiceDeps } from './deps.js';
import { archivedSummary } from './retention/archived-summary.js';
import { decodeCursor, keysetPage, validate } from './validate.js';
import { isWecom } from './wecom/cap-preview.js';

/** A group of deliveries in one state (and failure class), as GROUP BY returns them. */
interface StateGroup {
  state: string;
  failureClass: string | null;
  n: number;
}

const knownStates: ReadonlySet<string> = new Set(deliveryStates);
const knownClasses: ReadonlySet<string> = new Set(failureClasses);

/** Counters from grouped rows: each delivery counted once, in the counter of its state. */
export function countersOfGroups(groups: readonly StateGroup[]): Counters {
  const counters = emptyCounters();
  for (const { state, failureClass, n } of groups) {
    if (!knownStates.has(state)) continue;
    counters.total += n;
    counters[counterFor(state as DeliveryState)] += n;
    if (state === 'failed' && failureClass && knownClasses.has(failureClass)) {
      counters.failedByClass[failureClass as FailureClass] += n;
    }
  }
  return counters;
}

export interface SenderCounters {
  /** Null for recipients no channel was chosen for (suppressed or filtered before planning). */
  channel: string | null;
  /**
   * The sender account of the recipient's current batch, else the one its attempt went out through
   * (a WeCom customer's staff member); null when the channel has none.
   */
  account: string | null;
  counters: Counters;
}

/**
 * A campaign's recipients by channel and sender account, each counted once where they are now
 * (a recipient that failed over counts under its last channel): the per-channel and
 * per-account view of the campaign's counters, which they add up to once planning is done.
 */
export async function countersBySender(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<SenderCounters[]> {
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const archived = await archivedSummary(deps.db, campaign.id);
  const wecomChannels = deps.registry.channels.filter(isWecom).map((c) => c.name);
  const rows = archived
    ? archived.senderGroups
    : await senderGroups(deps.db, Number(campaign.id), wecomChannels);
  const bySender = new Map<
    string,
    { channel: string | null; account: string | null; groups: StateGroup[] }
  >();
  for (const row of rows) {
    const key = JSON.stringify([row.channel, row.account]);
    const entry = bySender.get(key) ?? { channel: row.channel, account: row.account, groups: [] };
    entry.groups.push(row);
    bySender.set(key, entry);
  }
  return [...bySender.values()]
    .map(({ channel, account, groups }) => ({ channel, account, counters: countersOfGroups(groups) }))
    .sort(
      (a, b) =>
        (a.channel ?? '\uffff').localeCompare(b.channel ?? '\uffff') ||
        (a.account ?? '').localeCompare(b.account ?? ''),
    );
}

export interface SenderGroup extends StateGroup {
  channel: string | null;
  account: string | null;
}

/**
 * The sender of a delivery: its batch's account, else the staff member a WeCom customer or group
 * task went out through — that channel picks the sender per recipient, sends the batch with no
 * account, and names the sender in the message id (`cm:<msgid>:<sender>:<target>`, which
 * `wecomTasksOf` reads too). Read from the delivery's own row: a probe of its attempts cost ten
 * times the query (2.7–3.7 s against 0.23–0.33 s for 100,000 deliveries, PostgreSQL, load 24, pairs
 * alternated); this costs 1.5–2.5 times. A delivery moved on to another channel keeps its old id
 * until that channel's send gives it one: only deliveries on `wecomChannels` are read so (an
 * archive, which has no registry, relies on the state: not queued, waiting or suppressed).
 */
function senderAccount(wecomChannels?: readonly string[]) {
  const onWecom =
    wecomChannels === undefined
      ? sql`${deliveries.state} NOT IN ('queued', 'waiting', 'submitted', 'suppressed')`
      : sql`${deliveries.channel} = ANY(${textArrayLiteral(wecomChannels)}::text[])`;
  return sql<
    string | null
  >`coalesce(${batches.account}, CASE WHEN ${onWecom} AND starts_with(${deliveries.providerMessageId}, 'cm:')
    THEN split_part(${deliveries.providerMessageId}, ':', 3) END)`;
}

/** A campaign's deliveries by channel, sender account, state and failure class (the WeCom instances' names: see `senderAccount`). */
export function senderGroups(
  db: Db,
  campaignId: number,
  wecomChannels?: readonly string[],
): Promise<SenderGroup[]> {
  const account = senderAccount(wecomChannels);
  return (
    db
      .select({
        channel: deliveries.channel,
        account,
        state: effectiveState,
        failureClass: deliveries.failureClass,
        n: sql<number>`count(*)::int`,
      })
      .from(deliveries)
      .leftJoin(batches, eq(batches.id, deliveries.batchId))
      .where(eq(deliveries.campaignId, campaignId))
      // By position: the expression carries a parameter, which would not match itself a second time.
      .groupBy(deliveries.channel, sql.raw('2'), effectiveState, deliveries.failureClass)
  );
}

export const batchStates = ['queued', 'leased', 'done', 'failed', 'cancelled', 'replaced'] as const;
export type BatchState = (typeof batchStates)[number];

const timelineInput = z.object({
  first: z.number().int().min(1).max(500),
  after: z.string().nullish(),
});

/**
 * A campaign's batches in the order they were written (the plan, then retries and fallbacks):
 * when each is due, on which channel and account, its state, why it waits, and the outcome
 * of the recipients it holds now.
 */
export async function batchTimeline(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
  input: unknown,
) {
  const args = validate(timelineInput, input);
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const after = decodeCursor(args.after);
  const rows = await deps.db
    .select()
    .from(batches)
    .where(
      and(
        eq(batches.campaignId, Number(campaign.id)),
        after !== undefined ? gt(batches.id, after) : undefined,
      ),
    )
    .orderBy(asc(batches.id))
    .limit(args.first + 1);
  const page = rows.slice(0, args.first);
  const groups =
    page.length === 0
      ? []
      : await deps.db
          .select({
            batchId: deliveries.batchId,
            state: effectiveState,
            failureClass: deliveries.failureClass,
            n: sql<number>`count(*)::int`,
          })
          .from(deliveries)
          .innerJoin(batches, eq(batches.id, deliveries.batchId))
          .where(
            inArray(
              deliveries.batchId,
              page.map((b) => b.id),
            ),
          )
          .groupBy(deliveries.batchId, effectiveState, deliveries.failureClass);
  const nodes = page.map((b) => ({
    id: String(b.id),
    seq: b.seq,
    channel: b.channel,
    account: b.account,
    state: (batchStates as readonly string[]).includes(b.state) ? (b.state as BatchState) : 'failed',
    dueAt: b.dueAt,
    size: b.size,
    starts: b.starts,
    waitReason: b.waitReason,
    updatedAt: b.updatedAt,
    counters: countersOfGroups(groups.filter((g) => g.batchId === b.id)),
  }));
  return keysetPage(rows.length, args.first, nodes);
}

export type BatchView = Awaited<ReturnType<typeof batchTimeline>>['edges'][number]['node'];
