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

/**
 * Rate tokens are reserved at most this far ahead: a batch further back in line gives its worker
 * slot back and is told when to come again (bounding, too, what a paused campaign leaves reserved).
 */
export const RATE_RESERVE_HORIZON_MS = 10_000;
/** Reserved tokens due within this are waited for in place rather than by giving the batch back. */
const WAIT_IN_PLACE_MS = 250;

/** Rate limiter and quotas are keyed by account: a limit holds for the account as a whole. */
export function limiterKey(batch: Pick<Batch, 'channel' | 'account'>): string {
  return `${batch.channel}:${batch.account ?? 'default'}`;
}

/**
 * Takes `count` units of the account's daily quota, then as many rate tokens. A limiter that can
 * reserve them ahead (`RateLimiter.reserve`) does: when they are not there now the batch is given
 * back, due when they are (or, past the horizon, when it is its turn to ask again), so that its
 * worker slot serves other due work meanwhile — a slot asleep on one channel's bucket starved an
 * escalation step on another channel of every slot. Otherwise it waits for them, renewing the lease while it waits. A limiter that is slow to answer (a shared one whose
 * store is unreachable makes its callers wait for it) may outlast the lease: the lease is
 * renewed before going ahead, and a batch claimed meanwhile by another worker is not sent here.
 */
export async function pace(
  ctx: EngineContext,
  batch: Batch,
  channel: ChannelPlugin,
  count: number,
  /** How far ahead rate tokens may be reserved; 0 takes only tokens there now. */
  horizonMs = RATE_RESERVE_HORIZON_MS,
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
  if (ratePerSecond !== undefined && ratePerSecond > 0 && ctx.limiter.reserve) {
    const rate = { perSecond: ratePerSecond, burst: Math.max(ratePerSecond, batch.size) };
    for (;;) {
      const r = await ctx.limiter.reserve(key, batch.id, count, rate, ctx.clock.now(), horizonMs);
      if (r.reserved && r.waitMs <= 0) break;
      if (!r.reserved || r.waitMs > WAIT_IN_PLACE_MS) {
        await refund();
        const until = new Date(ctx.clock.now().getTime() + r.waitMs);
        return { status: 'release', until, reason: batchWaitReasons.rateLimited };
      }
      await ctx.clock.sleep(r.waitMs);
    }
  } else if (ratePerSecond !== undefined && ratePerSecond > 0) {
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
