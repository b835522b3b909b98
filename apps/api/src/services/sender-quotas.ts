import { calendarDay, DEFAULT_QUOTA_TIME_ZONE, limiterKey } from '@qunfa/core';
import type { ServiceDeps } from './deps.js';

/** A sender account's daily quota today: what the workers took of it and what is left until `resetsAt`. */
export interface QuotaToday {
  limit: number;
  used: number;
  left: number;
  resetsAt: Date;
}

/** How long a read waits for the shared limiter: a Redis limiter that is down waits for it to come back. */
const READ_TIMEOUT_MS = 2_000;

/**
 * Reads one account's quota of today (the engine's calendar day, in its quota time zone) from the
 * limiter the workers pace with, taking nothing. Null when the channel has no daily quota, or the
 * limiter did not answer in time (logged): the page then says it is unknown rather than guessing.
 */
export async function quotaToday(
  deps: Pick<ServiceDeps, 'limiter' | 'registry' | 'clock' | 'logger'>,
  channelName: string,
  account: string | null,
): Promise<QuotaToday | null> {
  const channel = deps.registry.channels.find((c) => c.name === channelName);
  const limit = channel?.limits.maxSendsPerDay;
  if (limit === undefined) return null;
  const day = calendarDay(deps.clock.now(), DEFAULT_QUOTA_TIME_ZONE);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), READ_TIMEOUT_MS);
  });
  try {
    // Asking for nothing reads what is left without taking any.
    const read = deps.limiter
      .consumeQuota(limiterKey({ channel: channelName, account }), 0, { limit, ...day })
      .then(({ remaining }) => remaining);
    const remaining = await Promise.race([read, timeout]);
    if (remaining === null) {
      deps.logger.warn('quota read timed out', { channel: channelName, account, timeoutMs: READ_TIMEOUT_MS });
      return null;
    }
    const left = Math.max(0, remaining);
    return { limit, used: limit - left, left, resetsAt: day.end };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A channel's quota today over all its sender accounts (the one implicit account when it names
 * none); null when it has no daily quota or any account's read did not answer.
 */
export async function channelQuotaToday(
  deps: Pick<ServiceDeps, 'limiter' | 'registry' | 'clock' | 'logger'>,
  channelName: string,
): Promise<QuotaToday | null> {
  const channel = deps.registry.channels.find((c) => c.name === channelName);
  if (!channel) return null;
  const accounts = channel.accounts.length === 0 ? [null] : channel.accounts;
  const each = await Promise.all(accounts.map((a) => quotaToday(deps, channelName, a)));
  if (each.some((q) => q === null)) return null;
  return (each as QuotaToday[]).reduce((sum, q) => ({
    limit: sum.limit + q.limit,
    used: sum.used + q.used,
    left: sum.left + q.left,
    resetsAt: q.resetsAt,
  }));
}
