import type { ChannelContext, ChannelPlugin, PluginState } from '@qunfa/core';
import { pluginLogger, scopePluginState } from '@qunfa/core';
import type { ServiceDeps } from '../deps.js';

/**
 * The context a channel gets for a sync run outside the engine: its own shared state (tokens,
 * relations, groups are the same the engine's sends use), except the sync's resume position,
 * which is kept per workspace so that two workspaces syncing one corp do not share it.
 */
export function syncContext(
  deps: ServiceDeps,
  channel: ChannelPlugin,
  workspaceId: number,
  signal: AbortSignal,
): ChannelContext {
  const state = scopePluginState(deps.pluginState, channel.name);
  const k = (key: string) => (key.startsWith('sync/') ? `${key}/workspace-${workspaceId}` : key);
  const scoped: PluginState = {
    get: (key) => state.get(k(key)),
    set: (key, value, ttlMs) => state.set(k(key), value, ttlMs),
    setIfAbsent: (key, value, ttlMs) => state.setIfAbsent(k(key), value, ttlMs),
    delete: (key) => state.delete(k(key)),
  };
  return {
    signal,
    now: () => deps.clock.now(),
    state: scoped,
    logger: pluginLogger(deps.logger, channel.name),
    limiter: deps.requestLimiter,
  };
}

/** Sync pages a second per channel and workspace, well within WeCom's 10,000 calls a minute per API and OA's quotas. */
const PAGES_PER_SECOND = 10;

/** Waits for the next page's turn (the shared limiter: every API process counts). */
export async function pacePage(deps: ServiceDeps, key: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    const { granted, retryAfterMs } = await deps.requestLimiter.take(
      `sync:${key}`,
      1,
      { perSecond: PAGES_PER_SECOND, burst: PAGES_PER_SECOND },
      deps.clock.now(),
    );
    if (granted > 0 || signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(10, retryAfterMs)));
  }
}
