import { type Counters, emptyCounters, failureClasses, metricStatus } from '@qunfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliveryRate } from './delivery-rate.js';
import { defaultFailureLevels, failureRate } from './failure-rate.js';

const counters = (partial: Partial<Counters>): Counters => ({ ...emptyCounters(), ...partial });

describe('metric:failure-rate', () => {
  const all = failureRate();

  it('counts failed over sent or better, failed and filtered; lower is better', () => {
    expect(all).toMatchObject({ name: 'metric:failure-rate', unit: 'percent', label: 'Failure rate' });
    expect(all.thresholds).toEqual({ better: 'lower', good: 5, alarm: 10 });
    expect(all.compute(emptyCounters())).toBeNull();
    expect(all.compute(counters({ sent: 80, read: 10, failed: 8, filtered: 2, suppressed: 100 }))).toBe(8);
  });

  it.each([
    [0, 'good'],
    [500, 'good'],
    [501, 'warn'],
    [1000, 'warn'],
    [1001, 'alarm'],
  ])('colours %i failures in 10000 as %s', (failed, status) => {
    expect(metricStatus(all, all.compute(counters({ sent: 10_000 - failed, failed })))).toBe(status);
  });

  it('has one metric per failure class, named metric:failure-rate.<class>', () => {
    for (const failureClass of failureClasses) {
      const metric = failureRate({ failureClass });
      expect(metric.name).toBe(`metric:failure-rate.${failureClass}`);
      const levels = defaultFailureLevels[failureClass];
      expect(metric.thresholds).toEqual({ better: 'lower', ...levels });
      expect(levels.good).toBeLessThanOrEqual(levels.alarm);
    }
    const network = failureRate({ failureClass: 'network' });
    const c = counters({
      sent: 190,
      failed: 10,
      failedByClass: { ...emptyCounters().failedByClass, network: 4 },
    });
    expect(network.compute(c)).toBe(2);
    expect(metricStatus(network, network.compute(c))).toBe('warn');
    expect(network.label).toBe('Failure rate (network)');
  });

  it('makes delivery rate, failure rate and the filtered share add up to 100', () => {
    const count = fc.nat({ max: 10_000 });
    fc.assert(
      fc.property(count, count, count, count, count, (sent, delivered, read, failed, filtered) => {
        const c = counters({ sent, delivered, read, failed, filtered });
        const attempted = sent + delivered + read + failed + filtered;
        const d = deliveryRate().compute(c);
        const f = all.compute(c);
        if (attempted === 0) return d === null && f === null;
        return Math.abs((d ?? 0) + (f ?? 0) + (filtered * 100) / attempted - 100) < 1e-9;
      }),
    );
  });

  it('rejects an unknown class and levels in the wrong order', () => {
    expect(() => failureRate({ failureClass: 'timeout' as never })).toThrow(/option "failureClass"/);
    expect(() => failureRate({ thresholds: { good: 10, alarm: 5 } })).toThrow(/option "thresholds.good"/);
  });
});
