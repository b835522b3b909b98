/** China Standard Time (UTC+8, no daylight saving): the providers' clocks and dates. */
const OFFSET_MS = 8 * 3_600_000;

/** `yyyyMMdd` of the China day of `at`. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/** Parses `yyyy-MM-dd HH:mm:ss` (or `yyyyMMddHHmmss`) given in China time; undefined when malformed. */
export function parseChinaTime(text: string): Date | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const at = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - OFFSET_MS;
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** `yyyy-MM-dd HH:mm:ss` in China time. */
export function formatChinaTime(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Milliseconds from `at` to the next China midnight (when per-day limits reset). */
export function msUntilChinaMidnight(at: Date): number {
  const local = at.getTime() + OFFSET_MS;
  return 86_400_000 - (local % 86_400_000);
}
