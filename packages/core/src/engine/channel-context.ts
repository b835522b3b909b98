import type { ChannelContext, ChannelPlugin } from '../plugins/channel.js';
import { pluginLogger } from '../ports/logger.js';
import { scopePluginState } from '../ports/plugin-state.js';
import type { EngineContext } from './deps.js';

/** What a channel hook gets from the engine: the signal, the clock, its own state and logger, the limiter. */
export function channelContext(
  ctx: EngineContext,
  channel: ChannelPlugin,
  signal: AbortSignal,
): ChannelContext {
  return {
    signal,
    now: () => ctx.clock.now(),
    state: scopePluginState(ctx.pluginState, channel.name),
    logger: pluginLogger(ctx.logger, channel.name),
    limiter: ctx.limiter,
  };
}
