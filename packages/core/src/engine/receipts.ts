import type { DeliveryEvent } from '../plugins/channel.js';
import type { ReceiptEvent, ReceiptsApplied } from '../ports/store.js';
import type { EngineContext } from './deps.js';

/** Writes the events and nudges the progress of every campaign whose counters moved. */
export async function applyReceipts(ctx: EngineContext, events: ReceiptEvent[]): Promise<ReceiptsApplied> {
  const result = await ctx.store.applyReceipts(events);
  for (const ref of result.campaigns) ctx.progress.nudge(ref);
  if (result.unknown.length > 0) {
    ctx.logger.warn('receipts for unknown deliveries were ignored', { count: result.unknown.length });
  }
  return result;
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

/** One round of `pollReceipts` over the channels that have it; one channel failing stops no other. */
export async function pollReceipts(ctx: EngineContext): Promise<void> {
  for (const channel of ctx.registry.channels) {
    if (!channel.pollReceipts) continue;
    try {
      const signal = new AbortController().signal;
      const events = await channel.pollReceipts({ signal, now: () => ctx.clock.now() });
      if (events.length > 0) await applyReceipts(ctx, channelReceiptEvents(channel.name, events, 'poll'));
    } catch (error) {
      ctx.logger.error('polling receipts failed', {
        plugin: channel.name,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
