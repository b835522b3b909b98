import { describe, expect, it } from 'vitest';
import { formatDateTime } from './date-time.js';

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
