import type { Locale } from '../i18n/locale.js';

const OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/** A date and time in the workspace's time zone, e.g. "2025/03/01 16:05"; "—" when absent or invalid. */
export function formatDateTime(iso: string | null | undefined, locale: Locale, timeZone?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  try {
    return new Intl.DateTimeFormat(locale, { ...OPTIONS, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, OPTIONS).format(date);
  }
}

/** A time of day to the second in the workspace's time zone, e.g. "16:05:09", for timelines. */
export function formatClock(
  iso: string | number | null | undefined,
  locale: Locale,
  timeZone?: string,
): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const options: Intl.DateTimeFormatOptions = {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, options).format(date);
  }
}

/** Minutes east of UTC that `timeZone` is at `instant`; 0 for an unknown zone. */
function offsetMinutes(instant: number, timeZone: string): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return 0;
  }
  const parts = format.formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - instant) / 60_000);
}

/**
 * The instant a calendar day (`YYYY-MM-DD`) begins in `timeZone`, as ISO; null for a malformed day.
 * `plusDays` moves the day first (1: the instant the day ends).
 */
export function startOfDay(day: string, timeZone: string, plusDays = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const local = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
  if (Number.isNaN(local)) return null;
  // Twice: the offset at the guessed instant may differ from the one at midnight (a DST change).
  let instant = local - offsetMinutes(local, timeZone) * 60_000;
  instant = local - offsetMinutes(instant, timeZone) * 60_000;
  return new Date(instant).toISOString();
}
