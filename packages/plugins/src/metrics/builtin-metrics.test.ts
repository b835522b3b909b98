import { emptyCounters, failureClasses, type MetricInput } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { builtinMetrics } from './builtin-metrics.js';

describe('builtinMetrics', () => {
  const metrics = builtinMetrics();

  it('holds the default set, with unique metric: names', () => {
    expect(metrics.map((m) => m.name)).toEqual([
      'metric:delivery-rate',
      'metric:failure-rate',
      ...failureClasses.map((c) => `metric:failure-rate.${c}`),
      'metric:completion',
      'metric:open-rate',
      'metric:click-through',
      'metric:reply-rate',
      'metric:complaint-rate',
      'metric:unsubscribe-rate',
      'metric:conversion-rate',
    ]);
    expect(metrics.every((m) => m.kind === 'metric' && m.unit === 'percent' && m.label.length > 0)).toBe(
      true,
    );
  });

  it('computes null on empty counters and values within 0–100 otherwise, without touching them', () => {
    const c: MetricInput = {
      ...emptyCounters(),
      total: 100,
      queued: 5,
      sent: 50,
      delivered: 20,
      read: 10,
      clicked: 5,
      failed: 6,
      suppressed: 4,
      failedByClass: { ...emptyCounters().failedByClass, network: 2, blocked_by_user: 4 },
      feedback: { replied: 9, complained: 1, unsubscribed: 2, converted: 3 },
    };
    const frozen = structuredClone(c);
    for (const metric of metrics) {
      expect(metric.compute(emptyCounters()), metric.name).toBeNull();
      const value = metric.compute(c);
      expect(value, metric.name).toBeGreaterThanOrEqual(0);
      expect(value, metric.name).toBeLessThanOrEqual(100);
    }
    expect(c).toEqual(frozen);
  });

  it('returns fresh plugins on every call', () => {
    expect(builtinMetrics()[0]).not.toBe(metrics[0]);
  });
});
