import { describe, expect, it } from 'vitest';
import { formatDateTime, startOfDay } from './date-time.js';

describe('formatDateTime', () => {
  it("shows the time in the workspace's time zone", () => {
    expect(formatDateTime('2025-03-01T08:05:00.000Z', 'zh-CN', 'Asia/Shanghai')).toBe('2025/03/01 16:05');
    expect(formatDateTime('2025-03-01T08:05:00.000Z', 'en', 'UTC')).toBe('03/01/2025, 08:05');
  });

  it('survives an unknown time zone', () => {
    expect(formatDateTime('2025-03-01T08:05:00.000Z', 'zh-CN', 'Mars/Olympus')).toMatch(/^2025\/03\/0[12] /);
  });

  it('shows a dash for a missing or invalid date', () => {
    expect(formatDateTime(null, 'zh-CN')).toBe('—');
    expect(formatDateTime('not a date', 'en')).toBe('—');
  });
});

describe('startOfDay', () => {
  it("is the instant a day begins in the workspace's time zone", () => {
    expect(startOfDay('2026-12-04', 'Asia/Shanghai')).toBe('2026-12-03T16:00:00.000Z');
    expect(startOfDay('2026-12-04', 'Asia/Shanghai', 1)).toBe('2026-12-04T16:00:00.000Z');
    expect(startOfDay('2026-12-31', 'UTC', 1)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('follows a daylight-saving change', () => {
    expect(startOfDay('2026-03-29', 'Europe/Berlin')).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/Berlin')).toBe('2026-03-29T22:00:00.000Z');
  });

  it('takes an unknown zone as UTC and refuses a malformed day', () => {
    expect(startOfDay('2026-12-04', 'Mars/Olympus')).toBe('2026-12-04T00:00:00.000Z');
    expect(startOfDay('04/12/2026', 'UTC')).toBeNull();
  });
});
