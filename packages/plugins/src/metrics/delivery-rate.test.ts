import { type Counters, emptyCounters, metricStatus } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { deliveryRate } from './delivery-rate.js';

const counters = (partial: Partial<Counters>): Counters => ({ ...emptyCounters(), ...partial });

describe('metric:delivery-rate', () => {
  const metric = deliveryRate();

  it('is a percent metric, higher is better, good ≥ 95, alarm < 90', () => {
    expect(metric).toMatchObject({ kind: 'metric', name: 'metric:delivery-rate', unit: 'percent' });
    expect(metric.thresholds).toEqual({ better: 'higher', good: 95, alarm: 90 });
  });

  it('is null until one send has a result', () => {
    expect(metric.compute(emptyCounters())).toBeNull();
    expect(metric.compute(counters({ total: 50, queued: 20, submitted: 10, suppressed: 20 }))).toBeNull();
  });

  it('counts sent or better over sent or better, failed and filtered', () => {
    const c = counters({ total: 200, sent: 40, delivered: 30, read: 15, clicked: 5, failed: 6, filtered: 4 });
    expect(metric.compute(c)).toBe(90);
  });

  it('leaves out suppressed, queued, in-flight, uncertain and awaiting-confirmation deliveries', () => {
    const base = counters({ sent: 95, failed: 5 });
    const busy = { ...base, suppressed: 50, queued: 40, submitted: 3, uncertain: 2, awaitingConfirmation: 9 };
    expect(metric.compute(busy)).toBe(metric.compute(base));
  });

  it('can count only confirmed deliveries', () => {
    const strict = deliveryRate({ sentCountsAsReached: false });
    expect(strict.compute(counters({ sent: 50, delivered: 40, read: 10 }))).toBe(50);
  });

  it.each([
    [100, 0, 'good'],
    [95, 5, 'good'],
    [9499, 501, 'warn'],
    [90, 10, 'warn'],
    [8999, 1001, 'alarm'],
    [0, 10, 'alarm'],
  ])('colours %i reached and %i failed as %s', (sent, failed, status) => {
    expect(metricStatus(metric, metric.compute(counters({ sent, failed })))).toBe(status);
  });

  it('takes other levels, and rejects levels in the wrong order or bad options', () => {
    expect(deliveryRate({ thresholds: { good: 98, alarm: 95 } }).thresholds).toEqual({
      better: 'higher',
      good: 98,
      alarm: 95,
    });
    const bad = [
      { thresholds: { good: 80, alarm: 90 } },
      { thresholds: { good: 120, alarm: 90 } },
      { strict: true },
    ];
    for (const options of bad) {
      expect(() => deliveryRate(options as never)).toThrow(
        expect.objectContaining({ code: 'PLUGIN_OPTIONS_INVALID', plugin: 'metric:delivery-rate' }),
      );
    }
    expect(() => deliveryRate({ thresholds: { good: 80, alarm: 90 } })).toThrow(/option "thresholds.good"/);
  });
});
