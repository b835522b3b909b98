import { describe, expect, it } from 'vitest';
import { byUrgency } from './triage-order.js';

const item = (
  id: string,
  overdue: boolean,
  priority: string,
  dueAt: string | null,
  createdAt = '2026-01-01T00:00:00Z',
) => ({
  id,
  overdue,
  priority,
  dueAt,
  createdAt,
});

describe('the inbox order', () => {
  it('puts the overdue first, then priority, then the nearest deadline, then the oldest', () => {
    const items = [
      item('low', false, 'LOW', null),
      item('high-later', false, 'HIGH', '2026-01-01T02:00:00Z'),
      item('late-normal', true, 'NORMAL', '2026-01-01T00:10:00Z'),
      item('high-sooner', false, 'HIGH', '2026-01-01T01:00:00Z'),
      item('urgent', false, 'URGENT', '2026-01-01T03:00:00Z'),
      item('low-older', false, 'LOW', null, '2025-12-31T00:00:00Z'),
    ];
    expect(byUrgency(items).map((i) => i.id)).toEqual([
      'late-normal',
      'urgent',
      'high-sooner',
      'high-later',
      'low-older',
      'low',
    ]);
  });
});
