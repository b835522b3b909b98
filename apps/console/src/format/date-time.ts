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
