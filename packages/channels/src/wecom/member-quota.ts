import { MemoryRateLimiter, type QuotaWindow, type RateLimiter } from '@qunfa/core';

export interface MemberQuotaSettings {
  channel: string;
  agentId: number;
  perMinute: number;
  perHour: number;
}

/** Members over a window: they wait until it ends (`rate_limited`), never sent to be dropped. */
export interface QuotaVerdict {
  allowed: string[];
  held: { userid: string; retryAfterMs: number }[];
}

const windowOf = (now: Date, spanMs: number, limit: number): QuotaWindow => {
  const start = Math.floor(now.getTime() / spanMs) * spanMs;
  return { limit, start: new Date(start), end: new Date(start + spanMs) };
};

/** Used when the host gives no shared limiter: one process only, but nothing is dropped silently here. */
const fallback = new MemoryRateLimiter();

/**
 * WeCom delivers at most 30 messages a minute and 1,000 an hour from one app to one member and drops
 * the rest without an error (访问频率限制). Each member of a call takes one unit of both windows of
 * the shared limiter first; a member over either is held back with the time its window ends.
 */
export async function takeMemberQuota(
  limiter: RateLimiter | undefined,
  settings: MemberQuotaSettings,
  userids: readonly string[],
  now: Date,
): Promise<QuotaVerdict> {
  const l = limiter ?? fallback;
  const minute = windowOf(now, 60_000, settings.perMinute);
  const hour = windowOf(now, 3_600_000, settings.perHour);
  const verdict: QuotaVerdict = { allowed: [], held: [] };
  const SLICE = 100;
  for (let i = 0; i < userids.length; i += SLICE) {
    const slice = userids.slice(i, i + SLICE);
    const results = await Promise.all(
      slice.map(async (userid) => {
        const key = `${settings.channel}:member:${settings.agentId}:${userid.toLowerCase()}`;
        const m = await l.consumeQuota(`${key}:m`, 1, minute);
        if (m.granted < 1) return { userid, retryAfterMs: minute.end.getTime() - now.getTime() };
        const h = await l.consumeQuota(`${key}:h`, 1, hour);
        if (h.granted < 1) {
          await l.refundQuota(`${key}:m`, 1, minute);
          return { userid, retryAfterMs: hour.end.getTime() - now.getTime() };
        }
        return { userid };
      }),
    );
    for (const r of results) {
      if ('retryAfterMs' in r && r.retryAfterMs !== undefined)
        verdict.held.push({ userid: r.userid, retryAfterMs: r.retryAfterMs });
      else verdict.allowed.push(r.userid);
    }
  }
  return verdict;
}

/** Gives the units back for members whose call never reached WeCom (network failure, refused call). */
export async function refundMemberQuota(
  limiter: RateLimiter | undefined,
  settings: MemberQuotaSettings,
  userids: readonly string[],
  now: Date,
): Promise<void> {
  const l = limiter ?? fallback;
  const minute = windowOf(now, 60_000, settings.perMinute);
  const hour = windowOf(now, 3_600_000, settings.perHour);
  await Promise.all(
    userids.map(async (userid) => {
      const key = `${settings.channel}:member:${settings.agentId}:${userid.toLowerCase()}`;
      await l.refundQuota(`${key}:m`, 1, minute);
      await l.refundQuota(`${key}:h`, 1, hour);
    }),
  );
}
