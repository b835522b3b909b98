import { describe, expect, it } from 'vitest';
import { type Counters, emptyCounters } from '../domain/counters.js';
import type { AbWinnerMetric } from './ab-test.js';
import { compareVariants } from './comparison.js';

const variants = [
  { id: 'a', key: 'A' },
  { id: 'b', key: 'B' },
  { id: 'c', key: 'C' },
];

function counters(fields: Partial<Omit<Counters, 'failedByClass'>>): Counters {
  const c = { ...emptyCounters(), ...fields };
  c.total ||= c.sent + c.delivered + c.read + c.clicked + c.failed + c.queued + c.submitted + c.suppressed;
  return c;
}

const compare = (metric: AbWinnerMetric, byVariant: Record<string, Counters>, which = variants) =>
  compareVariants({
    metric,
    variants: which,
    countersByVariant: new Map(Object.entries(byVariant)),
    holdout: 7,
  });

const codes = (c: { warnings: { code: string }[] }) => c.warnings.map((w) => w.code).sort();

describe('compareVariants', () => {
  it('reports rates, the leader, its lead over the runner-up and the z-test p-value', () => {
    const c = compare('delivery_rate', {
      a: counters({ sent: 1800, failed: 200 }),
      b: counters({ sent: 1900, failed: 100 }),
      c: counters({ sent: 1850, failed: 150 }),
    });
    expect(c.variants.map((v) => [v.key, v.recipients, v.trials, v.successes, v.rate])).toEqual([
      ['A', 2000, 2000, 1800, 0.9],
      ['B', 2000, 2000, 1900, 0.95],
      ['C', 2000, 2000, 1850, 0.925],
    ]);
    expect(c.leaderVariantId).toBe('b');
    expect(c.runnerUpVariantId).toBe('c');
    expect(c.difference).toBeCloseTo(0.025, 12);
    expect(c.versusLeader.map((v) => v.key)).toEqual(['C', 'A']);
    // B vs A: 1900/2000 vs 1800/2000, z = 6.003, p = 1.937e-9 (see the z-test's tests).
    expect(c.versusLeader[1]!.pValue / 1.937019e-9).toBeCloseTo(1, 4);
    expect(c.pValue).toBeGreaterThan(0);
    expect(c.pValue).toBeLessThan(0.05);
    expect(c.holdout).toBe(7);
    expect(codes(c)).toEqual([]);
  });

  it('warns when a sample is below 1,000 per variant and when the lead is not significant', () => {
    const c = compare(
      'click_rate',
      { a: counters({ sent: 400, clicked: 40 }), b: counters({ sent: 430, clicked: 50 }) },
      variants.slice(0, 2),
    );
    expect(c.leaderVariantId).toBe('b');
    expect(c.variants[0]!.rate).toBeCloseTo(40 / 440, 12);
    expect(c.pValue).toBeGreaterThan(0.05);
    expect(codes(c)).toEqual(['not_significant', 'sample_below_minimum']);
    expect(c.warnings.find((w) => w.code === 'sample_below_minimum')?.message).toContain('A 440');
  });

  it('breaks an exact tie by campaign order, and says so', () => {
    const c = compare(
      'delivery_rate',
      { a: counters({ sent: 1500, failed: 500 }), b: counters({ sent: 3000, failed: 1000 }) },
      variants.slice(0, 2),
    );
    expect(c.leaderVariantId).toBe('a');
    expect(c.pValue).toBeCloseTo(1, 12);
    expect(codes(c)).toEqual(['not_significant', 'tie']);
  });

  it('has no leader without data, and tells no data from no engagement tracking', () => {
    const none = compare('delivery_rate', { a: counters({ queued: 1200 }) }, variants.slice(0, 2));
    expect(none.leaderVariantId).toBeNull();
    expect(none.pValue).toBeNull();
    expect(codes(none)).toEqual(['no_data', 'sample_below_minimum', 'test_incomplete']);
    const untracked = compare(
      'open_rate',
      { a: counters({ sent: 1200 }), b: counters({ sent: 1100 }) },
      variants.slice(0, 2),
    );
    expect(untracked.leaderVariantId).toBeNull();
    expect(codes(untracked)).toEqual(['no_engagement_data']);
  });

  it('counts opens as reads or clicks over reached deliveries, as metric:open-rate does', () => {
    const c = compare(
      'open_rate',
      {
        a: counters({ sent: 700, delivered: 100, read: 150, clicked: 50, failed: 100 }),
        b: counters({ sent: 900, read: 90, clicked: 10, failed: 100 }),
      },
      variants.slice(0, 2),
    );
    expect(c.variants.map((v) => [v.trials, v.successes])).toEqual([
      [1000, 200],
      [1000, 100],
    ]);
    expect(c.leaderVariantId).toBe('a');
  });
});
