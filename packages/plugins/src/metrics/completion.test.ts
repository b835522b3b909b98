import { type Counters, emptyCounters, metricStatus } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { completion } from './completion.js';

const counters = (partial: Partial<Counters>): Counters => ({ ...emptyCounters(), ...partial });

describe('metric:completion', () => {
  const metric = completion();

  it('is settled over planned, with no thresholds', () => {
    expect(metric).toMatchObject({ name: 'metric:completion', unit: 'percent' });
    expect(metric.thresholds).toBeUndefined();
    expect(metric.compute(emptyCounters())).toBeNull();
    const c = counters({
      total: 200,
      queued: 40,
      submitted: 10,
      sent: 100,
      failed: 20,
      suppressed: 20,
      uncertain: 10,
    });
    expect(metric.compute(c)).toBe(75);
    expect(metric.compute(counters({ total: 10, sent: 5, awaitingConfirmation: 5 }))).toBe(100);
    expect(metricStatus(metric, metric.compute(c))).toBe('none');
  });

  it('takes no options', () => {
    expect(() => completion({ thresholds: 1 } as never)).toThrow(/\[metric:completion\]/);
  });
});
