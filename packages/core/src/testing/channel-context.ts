import { MemoryPluginState } from '../memory/plugin-state.js';
import { MemoryRateLimiter } from '../memory/rate-limiter.js';
import type { ChannelContext } from '../plugins/channel.js';
import { silentLogger } from '../ports/logger.js';

/**
 * A `ChannelContext` for calling a channel's hooks directly in a test: a live signal, the
 * given clock, in-memory state and rate limiter (pass them to share between calls), a silent logger.
 */
export function testChannelContext(overrides: Partial<ChannelContext> = {}): ChannelContext {
  const now = overrides.now ?? (() => new Date());
  return {
    signal: new AbortController().signal,
    now,
    state: new MemoryPluginState({ now }),
    logger: silentLogger,
    limiter: new MemoryRateLimiter(),
    ...overrides,
  };
}
