import { createRegistry, type GroupMetricInput, metricStatus } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { builtinGroupMetrics, groupQuitRate } from './group-health.js';

const month = (partial: Partial<GroupMetricInput>): GroupMetricInput => ({
  month: '2026-11',
  members: 100,
  membersAtStart: 100,
  joins: 0,
  leaves: 0,
  ...partial,
});

describe('customer-group metrics', () => {
  const quit = groupQuitRate();

  it('退群率 is the month’s leaves over the members it began with, lower is better', () => {
    expect(quit).toMatchObject({ name: 'metric:group-quit-rate', subject: 'group', unit: 'percent' });
    expect(quit.thresholds).toEqual({ better: 'lower', good: 3, alarm: 5 });
    expect(quit.compute(month({ members: 95, membersAtStart: 100, leaves: 8, joins: 3 }))).toBe(8);
    expect(quit.compute(month({ members: null, membersAtStart: null, leaves: 4 }))).toBeNull();
    expect(quit.compute(month({ members: 3, membersAtStart: 0, joins: 3 }))).toBeNull();
  });

  it.each([
    [0, 'good'],
    [3, 'good'],
    [4, 'warn'],
    [5, 'warn'],
    [6, 'alarm'],
  ])('colours %i leaves of 100 as %s', (leaves, status) => {
    expect(metricStatus(quit, quit.compute(month({ leaves })))).toBe(status);
  });

  it('takes levels as an option, refused when good is past alarm', () => {
    expect(groupQuitRate({ thresholds: { good: 1, alarm: 2 } }).thresholds).toEqual({
      better: 'lower',
      good: 1,
      alarm: 2,
    });
    expect(() => groupQuitRate({ thresholds: { good: 6, alarm: 2 } })).toThrow(/good must be at most alarm/);
  });

  it('load as group metrics, none of them a campaign metric', () => {
    const registry = createRegistry(builtinGroupMetrics());
    expect(registry.metrics).toEqual([]);
    expect(
      registry.groupMetrics.map((m) => [m.name, m.compute(month({ members: 97, joins: 2, leaves: 5 }))]),
    ).toEqual([
      ['metric:group-members', 97],
      ['metric:group-joins', 2],
      ['metric:group-leaves', 5],
      ['metric:group-quit-rate', 5],
    ]);
  });
});
