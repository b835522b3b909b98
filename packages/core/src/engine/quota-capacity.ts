import { accountUsable } from '../domain/account.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { CampaignPlan } from '../ports/store.js';
import { calendarDay } from './calendar-day.js';
import type { EngineContext } from './deps.js';
import { limiterKey } from './pacing.js';

/**
 * Sends the channel can still make on the day of `at`: the daily quota left (as the shared
 * limiter has it) over its accounts usable then; undefined when it has no daily quota.
 */
async function quotaLeftOn(
  ctx: EngineContext,
  channel: ChannelPlugin,
  at: Date,
): Promise<number | undefined> {
  const limit = channel.limits.maxSendsPerDay;
  if (limit === undefined) return undefined;
  const day = calendarDay(at, ctx.timeZone);
  const window = { limit, start: day.start, end: day.end };
  const health = new Map((await ctx.store.accountHealth(channel.name)).map((h) => [h.account, h]));
  const accounts = channel.accounts.length === 0 ? [null] : channel.accounts;
  let left = 0;
  for (const account of accounts) {
    if (account !== null && !accountUsable(health.get(account), at)) continue;
    // Asking for nothing reads what is left without taking any.
    const { remaining } = await ctx.limiter.consumeQuota(
      limiterKey({ channel: channel.name, account }),
      0,
      window,
    );
    left += remaining;
  }
  return left;
}

/**
 * The plan with each step's `capacity` on the day its first batch is due: a first-channel plan of
 * several steps sends a recipient the first step that can cover them that day, so one whose first
 * step's daily quota is spent goes to the next step instead of waiting for the next day's quota
 * (and the day after, when the audience is larger than a day). A plan of one step, or of all
 * channels, has nowhere else to go: unchanged.
 */
export async function withQuotaCapacity(ctx: EngineContext, plan: CampaignPlan): Promise<CampaignPlan> {
  if (plan.channelMode === 'all' || plan.channels.length < 2) return plan;
  const channels = await Promise.all(
    plan.channels.map(async (step) => {
      const capacity = await quotaLeftOn(ctx, ctx.registry.channel(step.channel), plan.firstDueAt);
      return capacity === undefined ? step : { ...step, capacity };
    }),
  );
  return channels.some((c) => c.capacity !== undefined) ? { ...plan, channels } : plan;
}
