/**
 * A daily quiet period in the recipient's local time (`HH:MM`, the end may be past midnight),
 * or `off`. Set on a workspace (else the server default) and on a campaign (else the workspace's).
 */
export type QuietHoursSetting = 'off' | { start: string; end: string };

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;

/** True for `HH:MM` between 00:00 and 23:59. */
export function isClockTime(value: string): boolean {
  return clock.test(value);
}

/** `off` or `22:00-08:00` (how the setting is stored and configured); undefined when malformed. */
export function parseQuietHours(text: string): QuietHoursSetting | undefined {
  if (text === 'off') return 'off';
  const [start, end, ...rest] = text.split('-');
  if (rest.length > 0 || !start || !end || !isClockTime(start) || !isClockTime(end)) return undefined;
  return { start, end };
}

export function formatQuietHours(setting: QuietHoursSetting): string {
  return setting === 'off' ? 'off' : `${setting.start}-${setting.end}`;
}
