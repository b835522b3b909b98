import { zonedParts, zonedToInstant } from '@qunfa/core';

/** Local midnight of `now`'s day in `timeZone`, or of the first day of its month. */
export function startOfLocal(now: Date, timeZone: string, unit: 'day' | 'month'): Date {
  const p = zonedParts(now, timeZone);
  return zonedToInstant(
    { year: p.year, month: p.month, day: unit === 'day' ? p.day : 1, hour: 0, minute: 0 },
    timeZone,
  );
}
