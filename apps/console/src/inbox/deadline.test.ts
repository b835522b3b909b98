import { describe, expect, it } from 'vitest';
import { deadlineOf } from './deadline.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');

describe('a reply deadline', () => {
  it('counts down the minutes left, rounding up', () => {
    expect(deadlineOf('2026-12-04T12:14:30Z', false, true, NOW)).toEqual({ kind: 'due', minutes: 15 });
  });
  it('is overdue once past, by the client clock or the server word', () => {
    expect(deadlineOf('2026-12-04T11:50:00Z', false, true, NOW)).toEqual({ kind: 'overdue', minutes: 10 });
    expect(deadlineOf('2026-12-04T12:10:00Z', true, true, NOW)).toEqual({ kind: 'overdue', minutes: 0 });
  });
  it('is none without a deadline or once answered', () => {
    expect(deadlineOf(null, false, true, NOW).kind).toBe('none');
    expect(deadlineOf('2026-12-04T11:00:00Z', true, false, NOW).kind).toBe('none');
  });
});
