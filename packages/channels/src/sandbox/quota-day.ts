/**
 * Daily quotas reset at midnight China Standard Time (UTC+8, no daylight saving), as WeChat's
 * and the SMS providers' do.
 */
const DAY_MS = 24 * 60 * 60 * 1000;
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The number of the China Standard Time day an instant falls in. */
export function quotaDay(at: Date): number {
  return Math.floor((at.getTime() + CST_OFFSET_MS) / DAY_MS);
}

/** Milliseconds from an instant to the next quota reset. */
export function msUntilQuotaReset(at: Date): number {
  return (quotaDay(at) + 1) * DAY_MS - CST_OFFSET_MS - at.getTime();
}
