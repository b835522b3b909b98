import { type Counters, emptyCounters, metricStatus } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { clickThrough } from './click-through.js';
import { openRate } from './open-rate.js';

const counters = (partial: Partial<Counters>): Counters => ({ ...emptyCounters(), ...partial });

describe('metric:open-rate', () => {
  const metric = openRate();

  it('is read or clicked over sent or better; good ≥ 25, alarm < 15', () => {
    expect(metric).toMatchObject({ name: 'metric:open-rate', unit: 'percent' });
    expect(metric.thresholds).toEqual({ better: 'higher', good: 25, alarm: 15 });
    expect(metric.compute(counters({ sent: 60, delivered: 20, read: 15, clicked: 5, failed: 50 }))).toBe(20);
  });

  it('is null until the first read or click, so channels without read tracking show no false alarm', () => {
    expect(metric.compute(emptyCounters())).toBeNull();
    expect(metric.compute(counters({ sent: 10_000 }))).toBeNull();
  });

  it.each([
    [25, 'good'],
    [24, 'warn'],
    [15, 'warn'],
    [14, 'alarm'],
  ])('colours %i read in 100 as %s', (read, status) => {
    expect(metricStatus(metric, metric.compute(counters({ delivered: 100 - read, read })))).toBe(status);
  });
});

describe('metric:click-through', () => {
  const metric = clickThrough();

  it('is clicked over sent or better; good ≥ 8, alarm < 3', () => {
    expect(metric).toMatchObject({ name: 'metric:click-through', unit: 'percent' });
    expect(metric.thresholds).toEqual({ better: 'higher', good: 8, alarm: 3 });
    expect(metric.compute(counters({ sent: 150, read: 40, clicked: 10 }))).toBe(5);
  });

  it('is null without engagement signals, and a real 0 % once reads are tracked', () => {
    expect(metric.compute(counters({ sent: 500 }))).toBeNull();
    expect(metric.compute(counters({ sent: 400, read: 100 }))).toBe(0);
  });

  it.each([
    [8, 'good'],
    [7, 'warn'],
    [3, 'warn'],
    [2, 'alarm'],
  ])('colours %i clicked in 100 as %s', (clicked, status) => {
    expect(metricStatus(metric, metric.compute(counters({ sent: 100 - clicked, clicked })))).toBe(status);
  });

  it('takes other levels', () => {
    expect(clickThrough({ thresholds: { good: 10, alarm: 5 } }).thresholds).toMatchObject({
      good: 10,
      alarm: 5,
    });
    expect(() => openRate({ thresholds: { good: 10, alarm: 15 } })).toThrow(/\[metric:open-rate\]/);
  });
});
