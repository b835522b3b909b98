import { describe, expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import { nextCronTime, parseCron } from './cron.js';

const next = (cron: string, after: string, tz = 'Asia/Shanghai') =>
  nextCronTime(parseCron(cron), new Date(after), tz).toISOString();

describe('cron', () => {
  it('fires at 10:00 Shanghai time every day (02:00 UTC), strictly after the given instant', () => {
    expect(next('0 10 * * *', '2026-11-23T01:59:00Z')).toBe('2026-11-23T02:00:00.000Z');
    expect(next('0 10 * * *', '2026-11-23T02:00:00Z')).toBe('2026-11-24T02:00:00.000Z');
  });

  it('handles lists, ranges, steps and weekdays (7 is Sunday too)', () => {
    // Mondays to Fridays at 09:30 and 18:30: Friday 2026-11-27 18:30 Shanghai, then Monday.
    expect(next('30 9,18 * * 1-5', '2026-11-27T09:00:00Z')).toBe('2026-11-27T10:30:00.000Z');
    expect(next('30 9,18 * * 1-5', '2026-11-27T10:30:00Z')).toBe('2026-11-30T01:30:00.000Z');
    expect(next('*/15 * * * *', '2026-11-23T00:07:00Z')).toBe('2026-11-23T00:15:00.000Z');
    expect(next('0 8 * * 7', '2026-11-23T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
  });

  it('runs on either day field when both are restricted, as cron does', () => {
    // The 1st of the month or any Monday at midnight Shanghai.
    expect(next('0 0 1 * 1', '2026-11-24T00:00:00Z')).toBe('2026-11-29T16:00:00.000Z');
  });

  it('follows the wall clock of zones with daylight saving', () => {
    // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
    expect(next('0 9 * * *', '2026-03-07T15:00:00Z', 'America/New_York')).toBe('2026-03-08T13:00:00.000Z');
    expect(next('0 9 * * *', '2026-01-10T00:00:00Z', 'America/New_York')).toBe('2026-01-10T14:00:00.000Z');
  });

  it('finds a leap day years ahead, and refuses bad expressions and zones with INVALID_INPUT', () => {
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z', 'UTC')).toBe('2028-02-29T00:00:00.000Z');
    for (const bad of [
      '0 10 * *',
      '60 * * * *',
      '* 24 * * *',
      '0 0 0 * *',
      'a b c d e',
      '5-1 * * * *',
      '*/0 * * * *',
    ]) {
      expect(() => parseCron(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    let error: unknown;
    try {
      next('0 0 * * *', '2026-01-01T00:00:00Z', 'Mars/Olympus');
    } catch (e) {
      error = e;
    }
    expect(isQunfaError(error, 'INVALID_INPUT')).toBe(true);
    expect(() => next('0 0 31 2 *', '2026-01-01T00:00:00Z')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
