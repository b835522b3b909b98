import type { Batch } from '../domain/delivery.js';
import { batchWaitReasons } from '../domain/waiting.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import { calendarDay } from './calendar-day.js';
import type { EngineContext } from './deps.js';

export type Pacing =
  /** Go ahead; `refund` gives the quota back if the send does not happen after all. */
  | { status: 'go'; refund(): Promise<void> }
  /** The day's quota is short: give the batch back until the window ends. */
  | { status: 'release'; until: Date; reason: string }
  | { status: 'lost' };

/** Rate limiter and quotas are keyed by account: a limit holds for the account as a whole. */
export function limiterKey(batch: Pick<Batch, 'channel' | 'account'>): string {
  return `${batch.channel}:${batch.account ?? 'default'}`;
}

/**
 * Takes `count` units of the account's daily quota, then waits for as many rate tokens,
 * renewing the lease while it waits. A limiter that is slow to answer (a shared one whose
 * store is unreachable makes its callers wait for it) may outlast the lease: the lease is
 * renewed before going ahead, and a batch claimed meanwhile by another worker is not sent here.
 */
export async function pace(
  ctx: EngineContext,
  batch: Batch,
  channel: ChannelPlugin,
  count: number,
): Promise<Pacing> {
  const key = limiterKey(batch);
  const { maxSendsPerDay, ratePerSecond } = channel.limits;
  const startedAt = ctx.clock.now().getTime();
  let refund = async () => {};
  if (maxSendsPerDay !== undefined) {
    const day = calendarDay(ctx.clock.now(), ctx.timeZone);
    const window = { limit: maxSendsPerDay, start: day.start, end: day.end };
    const { granted } = await ctx.limiter.consumeQuota(key, count, window);
    refund = async () => {
      if (granted > 0) await ctx.limiter.refundQuota(key, granted, window);
    };
    if (granted < count) {
      await refund();
      return { status: 'release', until: day.end, reason: batchWaitReasons.quotaReached };
    }
  }
  if (ratePerSecond !== undefined && ratePerSecond > 0) {
    const rate = { perSecond: ratePerSecond, burst: Math.max(ratePerSecond, batch.size) };
    let remaining = count;
    for (;;) {
      const { granted, retryAfterMs } = await ctx.limiter.take(key, remaining, rate, ctx.clock.now());
      remaining -= granted;
      if (remaining <= 0) break;
      await ctx.clock.sleep(Math.max(1, retryAfterMs));
      const renewed = await ctx.store.renewLease({
        batchId: batch.id,
        owner: ctx.workerId,
        now: ctx.clock.now(),
        leaseMs: ctx.leaseMs,
      });
      if (!renewed) {
        await refund();
        return { status: 'lost' };
      }
    }
  }
  if (ctx.clock.now().getTime() - startedAt >= ctx.leaseMs / 3) {
    const renewed = await ctx.store.renewLease({
      batchId: batch.id,
      owner: ctx.workerId,
      now: ctx.clock.now(),
      leaseMs: ctx.leaseMs,
    });
    if (!renewed) {
      await refund();
      return { status: 'lost' };
    }
  }
  return { status: 'go', refund };
}
