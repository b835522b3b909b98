import type { InboundRecorded } from '../domain/inbound.js';
import { QunfaError } from '../errors.js';
import type { CallbackRequest, CallbackResponse } from '../plugins/channel.js';
import { pluginLogger } from '../ports/logger.js';
import { scopePluginState } from '../ports/plugin-state.js';
import type { ReceiptsApplied } from '../ports/store.js';
import type { EngineContext } from './deps.js';
import { applyReceipts, channelReceiptEvents } from './receipts.js';

/** What handling one provider callback did. */
export interface CallbackHandled {
  response: CallbackResponse;
  receipts: ReceiptsApplied | null;
  inbound: InboundRecorded | null;
  /** Relations the app updated, or null when the callback carried none (or the app keeps none). */
  reach: { updated: number } | null;
}

/**
 * Hands a provider's callback to its channel, then applies the receipts and records the
 * inbound messages it carried. Undefined when no loaded channel of that name takes callbacks,
 * or the channel says the request is not its. Errors the channel throws (a forged signature:
 * UNAUTHENTICATED / FORBIDDEN) propagate before anything is written.
 */
export async function handleCallback(
  ctx: EngineContext,
  channelName: string,
  request: CallbackRequest,
): Promise<CallbackHandled | undefined> {
  const channel = ctx.registry.channels.find((c) => c.name === channelName);
  if (!channel?.callback) return undefined;
  const result = await channel.callback(request, {
    now: () => ctx.clock.now(),
    state: scopePluginState(ctx.pluginState, channel.name),
    logger: pluginLogger(ctx.logger, channel.name),
  });
  if (result === undefined) return undefined;
  const events = result.events ?? [];
  const messages = result.inbound ?? [];
  if (messages.length > 0 && !ctx.inbound) {
    throw new QunfaError(
      'INTERNAL',
      'a channel reported inbound messages but the engine has no inbound sink',
      {
        plugin: channel.name,
      },
    );
  }
  const receipts =
    events.length > 0
      ? await applyReceipts(ctx, channelReceiptEvents(channel.name, events, 'callback'))
      : null;
  const inbound =
    messages.length > 0 && ctx.inbound ? await ctx.inbound.record(channel.name, messages) : null;
  const changes = result.reach ?? [];
  const reach = changes.length > 0 && ctx.reach ? await ctx.reach.record(channel.name, changes) : null;
  return { response: result.response ?? { body: 'success' }, receipts, inbound, reach };
}
