import type { Logger } from '../ports/logger.js';
import type { Registry } from '../registry/registry.js';

/** Gap between two warnings that one channel's receipts are read too far behind. */
const WARN_EVERY_MS = 60_000;

/**
 * How far this process has read each polled channel's receipts: the start of its last poll of
 * the channel whose answer was recorded. An escalation window on a channel with `pollReceipts` is
 * judged there, not at the clock: a message the provider reported delivered within its window is
 * recorded by then, so a poll that lags (a busy process, a slow recording) cannot move its
 * recipient to a second channel. Push-only channels are judged at the clock, as before.
 */
export interface ReceiptsRead {
  /** A poll of `channel` that began at `began` had its answer recorded. */
  polled(channel: string, began: Date): void;
  /**
   * When a window over `channels` is judged at `now`: the oldest read position of its polled
   * channels, never more than the lag limit behind `now` (receipts that cannot be read do not
   * hold escalations for ever). Undefined when that is `now` (no polled channel, or read since).
   */
  until(channels: readonly string[], now: Date): Date | undefined;
}

export function createReceiptsRead(deps: {
  registry: Registry;
  logger: Logger;
  /** How far behind the clock a window may be judged at most, in ms. */
  lagLimitMs: number;
}): ReceiptsRead {
  const readUntil = new Map<string, number>();
  const warnedAt = new Map<string, number>();
  const isPolled = (name: string) => {
    const plugin = deps.registry.get(name);
    return plugin?.kind === 'channel' && plugin.pollReceipts !== undefined;
  };
  const warnBehind = (channel: string, now: number, read: number | undefined) => {
    if (now - (warnedAt.get(channel) ?? Number.NEGATIVE_INFINITY) < WARN_EVERY_MS) return;
    warnedAt.set(channel, now);
    deps.logger.warn('receipts not read within the lag limit: escalation windows judged at the limit', {
      plugin: channel,
      lagLimitMs: deps.lagLimitMs,
      readUntil: read === undefined ? null : new Date(read).toISOString(),
    });
  };
  return {
    polled(channel, began) {
      const at = began.getTime();
      if (at > (readUntil.get(channel) ?? Number.NEGATIVE_INFINITY)) readUntil.set(channel, at);
    },
    until(channels, now) {
      const clock = now.getTime();
      let oldest = clock;
      for (const channel of channels) {
        if (!isPolled(channel)) continue;
        const read = readUntil.get(channel);
        const floor = clock - deps.lagLimitMs;
        if (read === undefined || read < floor) {
          // Never polled here (a process that does not poll) is not worth a warning.
          if (read !== undefined) warnBehind(channel, clock, read);
          oldest = Math.min(oldest, floor);
        } else oldest = Math.min(oldest, read);
      }
      return oldest < clock ? new Date(oldest) : undefined;
    },
  };
}
