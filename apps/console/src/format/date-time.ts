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
