import { describe, expect, it } from 'vitest';
import { formatTimeToOpen, openRows } from './opens.js';

const row = (channel: string, reached: number, opened: number) => ({
  channel,
  reached,
  opened,
  openRate: reached === 0 ? null : (100 * opened) / reached,
  averageMsToOpen: opened === 0 ? null : 60_000,
});

describe('opens', () => {
  it('formats the mean time to open at a readable scale', () => {
    expect(formatTimeToOpen(44_600)).toBe('45 s');
    expect(formatTimeToOpen(12 * 60_000)).toBe('12 min');
    expect(formatTimeToOpen(3.5 * 3_600_000)).toBe('3.5 h');
    expect(formatTimeToOpen(50 * 3_600_000)).toBe('2.1 d');
  });

  it('lists channels with an open, and e-mail at 0 % only when its pixel is on', () => {
    const rows = [
      row('channel:email-smtp', 10, 0),
      row('channel:sms-aliyun', 10, 0),
      row('channel:wecom', 5, 2),
    ];
    expect(openRows(rows, false).map((r) => r.channel)).toEqual(['channel:wecom']);
    expect(openRows(rows, true).map((r) => r.channel)).toEqual(['channel:email-smtp', 'channel:wecom']);
  });
});
