import { describe, expect, it } from 'vitest';
import { calendarDay } from './calendar-day.js';

describe('calendarDay', () => {
  it('gives the Asia/Shanghai day (UTC+8) around an instant', () => {
    expect(calendarDay(new Date('2026-03-01T15:59:59Z'), 'Asia/Shanghai')).toEqual({
      start: new Date('2026-02-28T16:00:00Z'),
      end: new Date('2026-03-01T16:00:00Z'),
    });
    expect(calendarDay(new Date('2026-03-01T16:00:00Z'), 'Asia/Shanghai').start).toEqual(
      new Date('2026-03-01T16:00:00Z'),
    );
    expect(calendarDay(new Date('2026-12-31T20:00:00Z'), 'Asia/Shanghai').end).toEqual(
      new Date('2027-01-01T16:00:00Z'),
    );
  });

  it('handles daylight-saving days elsewhere', () => {
    const day = calendarDay(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(day.start).toEqual(new Date('2026-03-28T23:00:00Z'));
    expect(day.end).toEqual(new Date('2026-03-29T22:00:00Z'));
  });
});
