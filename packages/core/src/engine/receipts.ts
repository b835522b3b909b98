import type { DeliveryEvent } from '../plugins/channel.js';
import type { ReceiptEvent, ReceiptsApplied } from '../ports/store.js';
import { channelContext } from './channel-context.js';
import type { EngineContext } from './deps.js';
import { completeWhenDone, escalateLateFailures } from './escalation.js';

/** Receipts that matched no delivery yet, kept a while: the provider may answer before our settlement commits. */
export interface EarlyReceipts {
  entries: { event: ReceiptEvent; until: number }[];
}

/** Most early receipts kept in a process; beyond it the oldest are dropped. */
const EARLY_LIMIT = 10_000;

const refOf = (e: ReceiptEvent) => ('deliveryId' in e ? e.deliveryId : e.providerMessageId);

/**
 * Writes the events and nudges the progress of every campaign whose counters moved. Events of
 * unknown deliveries are kept for `receiptGraceMs` and tried again on every `pollReceipts`.
 */
export async function applyReceipts(ctx: EngineContext, events: ReceiptEvent[]): Promise<ReceiptsApplied> {
  const result = await ctx.store.applyReceipts(events);
  for (const ref of result.campaigns) ctx.progress.nudge(ref);
  if (result.campaigns.length > 0 && events.some((e) => e.state === 'failed')) {
    await escalateLateFailures(ctx, result.campaigns);
  }
  await completeConfirmed(ctx, events, result.campaigns);
  if (result.unknown.length > 0) {
    const unknown = new Set(result.unknown);
    const until = ctx.clock.now().getTime() + ctx.receiptGraceMs;
    const early = ctx.earlyReceipts.entries;
    for (const event of events) if (unknown.has(refOf(event))) early.push({ event, until });
    if (early.length > EARLY_LIMIT) early.splice(0, early.length - EARLY_LIMIT);
  }
  return result;
}

/** Tries the early receipts again; those still unknown after their grace period are dropped. */
export async function retryEarly(ctx: EngineContext): Promise<void> {
  const early = ctx.earlyReceipts.entries;
  if (early.length === 0) return;
  const batch = early.splice(0);
  const result = await ctx.store.applyReceipts(batch.map((e) => e.event));
  for (const ref of result.campaigns) ctx.progress.nudge(ref);
  await completeConfirmed(
    ctx,
    batch.map((e) => e.event),
    result.campaigns,
  );
  const unknown = new Set(result.unknown);
  const now = ctx.clock.now().getTime();
  const kept = batch.filter((e) => unknown.has(refOf(e.event)) && e.until > now);
  const dropped = batch.filter((e) => unknown.has(refOf(e.event))).length - kept.length;
  early.unshift(...kept);
  if (dropped > 0) ctx.logger.warn('receipts for unknown deliveries were dropped', { count: dropped });
}

/**
 * A running campaign whose batches are all done waits for the results of sends a person had to
 * confirm (`completeIfDone` holds it while any awaits confirmation): the receipts that bring the
 * last of them complete it here — no batch settles after them, and the worker's tick looks only
 * at campaigns whose plan escalates.
 */
async function completeConfirmed(
  ctx: EngineContext,
  events: readonly ReceiptEvent[],
  campaigns: readonly { workspaceId: string; campaignId: string }[],
): Promise<void> {
  if (campaigns.length === 0) return;
  const held = new Set<string>(ctx.registry.channels.filter((c) => c.limits.confirmation).map((c) => c.name));
  if (held.size === 0 || !events.some((e) => 'channel' in e && held.has(e.channel))) return;
  for (const ref of campaigns) {
    const campaign = await ctx.store.getCampaign(ref.campaignId);
    if (campaign?.state === 'running' && campaign.workspaceId === ref.workspaceId)
      await completeWhenDone(ctx, campaign);
  }
}

/** A channel's events as the store takes them. */
export function channelReceiptEvents(
  channel: string,
  events: readonly DeliveryEvent[],
  source: 'callback' | 'poll',
): ReceiptEvent[] {
  return events.map((e) => ({
    channel,
    providerMessageId: e.providerMessageId,
    state: e.state,
    at: e.at,
    source,
    ...(e.failure === undefined ? {} : { failure: e.failure }),
    ...(e.error === undefined ? {} : { error: e.error }),
  }));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One round of `pollReceipts` (and `pollInbound` and `pollReach`, when the engine has an inbound
 * or a reach sink) over
 * the channels that have them, after trying early receipts again; one channel failing stops no other.
 */
export async function pollReceipts(ctx: EngineContext): Promise<void> {
  try {
    await retryEarly(ctx);
  } catch (error) {
    ctx.logger.error('early receipts could not be applied', { error: messageOf(error) });
  }
  const signal = new AbortController().signal;
  for (const channel of ctx.registry.channels) {
    if (channel.pollReceipts) {
      try {
        const events = await channel.pollReceipts(channelContext(ctx, channel, signal));
        if (events.length > 0) await applyReceipts(ctx, channelReceiptEvents(channel.name, events, 'poll'));
      } catch (error) {
        ctx.logger.error('polling receipts failed', { plugin: channel.name, error: messageOf(error) });
      }
    }
    if (channel.pollInbound && ctx.inbound) {
      try {
        const messages = await channel.pollInbound(channelContext(ctx, channel, signal));
        if (messages.length > 0) await ctx.inbound.record(channel.name, messages);
      } catch (error) {
        ctx.logger.error('polling inbound messages failed', {
          plugin: channel.name,
          error: messageOf(error),
        });
      }
    }
    if (channel.pollReach && ctx.reach) {
      try {
        const changes = await channel.pollReach(channelContext(ctx, channel, signal));
        if (changes.length > 0) await ctx.reach.record(channel.name, changes);
      } catch (error) {
        ctx.logger.error('polling relation changes failed', {
          plugin: channel.name,
          error: messageOf(error),
        });
      }
    }
  }
}
