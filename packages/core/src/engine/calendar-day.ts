import { zonedParts, zonedToInstant } from '../schedule/zoned-time.js';

/** The instant the zone's wall clock shows midnight of that date (month/day overflow allowed). */
function midnight(year: number, month: number, day: number, timeZone: string): Date {
  const date = new Date(Date.UTC(year, month - 1, day));
  return zonedToInstant(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: 0,
      minute: 0,
    },
    timeZone,
  );
}

/** The time zone of daily quotas when the engine is given none. */
export const DEFAULT_QUOTA_TIME_ZONE = 'Asia/Shanghai';

/** The calendar day containing `at` in an IANA time zone, as [start, end). */
export function calendarDay(at: Date, timeZone: string): { start: Date; end: Date } {
  const w = zonedParts(at, timeZone);
  return {
    start: midnight(w.year, w.month, w.day, timeZone),
    end: midnight(w.year, w.month, w.day + 1, timeZone),
  };
}
