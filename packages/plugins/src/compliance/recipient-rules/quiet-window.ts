import { zonedParts, zonedToInstant } from '@qunfa/core';

/** A daily quiet period in minutes after local midnight; `start > end` wraps past midnight. */
export interface QuietWindow {
  start: number;
  end: number;
}

/** `22:00` → 1320. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** When the quiet period that `now` falls in ends, in `timeZone`; undefined when `now` is not quiet. */
export function quietUntil(now: Date, timeZone: string, window: QuietWindow): Date | undefined {
  if (window.start === window.end) return undefined;
  const local = zonedParts(now, timeZone);
  const minute = local.hour * 60 + local.minute;
  const wraps = window.start > window.end;
  const quiet = wraps
    ? minute >= window.start || minute < window.end
    : minute >= window.start && minute < window.end;
  if (!quiet) return undefined;
  // Before midnight in a wrapping window, the period ends tomorrow.
  const dayOffset = wraps && minute >= window.start ? 1 : 0;
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
  return zonedToInstant(
    {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      hour: Math.floor(window.end / 60),
      minute: window.end % 60,
    },
    timeZone,
  );
}
