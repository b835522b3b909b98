import { calendarDay, type QuotaWindow, type RateLimiter } from '@qunfa/core';
import type { AccountPolicy } from './policy.js';

/** Daily counters of one account, kept by the rate limiter so every worker shares them. */
export type Counter =
  | 'mass_sends'
  | 'friend_messages'
  | 'group_messages'
  | 'images'
  | 'recipients'
  | 'sent'
  | 'failed';

/** A counter that only counts (no limit of its own). */
const UNLIMITED = 1_000_000_000;

/** The day's limit of a counter under the policy; `warmingUp` caps recipients. */
export function limitOf(counter: Counter, policy: AccountPolicy, warmingUp: boolean): number {
  switch (counter) {
    case 'mass_sends':
      return policy.massSendsPerDay;
    case 'friend_messages':
      return policy.budgets.friendMessages;
    case 'group_messages':
      return policy.budgets.groupMessages;
    case 'images':
      return policy.budgets.images;
    case 'recipients':
      return warmingUp ? policy.warmUp.dailyRecipients : UNLIMITED;
    default:
      return UNLIMITED;
  }
}

/** Whether the account is still in its warm-up period at `now`. */
export function warmingUp(firstLoginAt: string | null, policy: AccountPolicy, now: Date): boolean {
  if (policy.warmUp.days === 0) return false;
  if (!firstLoginAt) return true;
  return now.getTime() - Date.parse(firstLoginAt) < policy.warmUp.days * 86_400_000;
}

export function accountBudgets(limiter: RateLimiter, channel: string, timeZone: string) {
  const key = (account: string, counter: Counter) => `${channel}:${account}:${counter}`;
  const windowOf = (limit: number, now: Date): QuotaWindow => {
    const day = calendarDay(now, timeZone);
    return { limit, start: day.start, end: day.end };
  };
  return {
    /** Takes `want` of the counter's day; all or nothing. */
    async take(account: string, counter: Counter, want: number, limit: number, now: Date): Promise<boolean> {
      const window = windowOf(limit, now);
      const { granted } = await limiter.consumeQuota(key(account, counter), want, window);
      if (granted < want && granted > 0) await limiter.refundQuota(key(account, counter), granted, window);
      return granted >= want;
    },
    async give(account: string, counter: Counter, amount: number, limit: number, now: Date): Promise<void> {
      if (amount > 0) await limiter.refundQuota(key(account, counter), amount, windowOf(limit, now));
    },
    /** How much of the counter's day is used. */
    async used(account: string, counter: Counter, now: Date): Promise<number> {
      const { remaining } = await limiter.consumeQuota(key(account, counter), 0, windowOf(UNLIMITED, now));
      return UNLIMITED - remaining;
    },
    dayEnd(now: Date): Date {
      return calendarDay(now, timeZone).end;
    },
  };
}

export type AccountBudgets = ReturnType<typeof accountBudgets>;
