import { describe, expect, it } from 'vitest';
import { variantBucket } from '../domain/variant-bucket.js';
import { isQunfaError } from '../errors.js';
import type { AbTest } from './ab-test.js';
import { abSplit, validateAbTest } from './split.js';

const test = (overrides: Partial<AbTest> = {}): AbTest => ({
  sampleSizePerVariant: null,
  testPercent: 20,
  holdoutPercent: 10,
  winnerMetric: 'click_rate',
  decisionDelayMs: 3_600_000,
  winnerSelection: 'auto',
  ...overrides,
});
const two = [
  { id: 'a', weight: 1 },
  { id: 'b', weight: 1 },
];

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (isQunfaError(error, 'INVALID_INPUT')) return error.details.field;
    throw error;
  }
  return undefined;
}

describe('validateAbTest', () => {
  it('accepts a sound test and names the field of each mistake', () => {
    expect(fieldOf(() => validateAbTest(test(), 2))).toBeUndefined();
    expect(fieldOf(() => validateAbTest(test(), 1))).toBe('variants');
    expect(fieldOf(() => validateAbTest(test(), 4))).toBe('variants');
    expect(fieldOf(() => validateAbTest(test({ sampleSizePerVariant: 1000 }), 2))).toBe(
      'abTest.sampleSizePerVariant',
    );
    expect(fieldOf(() => validateAbTest(test({ testPercent: null }), 2))).toBe('abTest.sampleSizePerVariant');
    expect(fieldOf(() => validateAbTest(test({ testPercent: null, sampleSizePerVariant: 0 }), 2))).toBe(
      'abTest.sampleSizePerVariant',
    );
    expect(fieldOf(() => validateAbTest(test({ testPercent: 0 }), 2))).toBe('abTest.testPercent');
    expect(fieldOf(() => validateAbTest(test({ testPercent: 95 }), 2))).toBe('abTest.testPercent');
    expect(fieldOf(() => validateAbTest(test({ holdoutPercent: -1 }), 2))).toBe('abTest.holdoutPercent');
    expect(fieldOf(() => validateAbTest(test({ decisionDelayMs: 10 }), 2))).toBe('abTest.decisionDelayMs');
    expect(fieldOf(() => validateAbTest(test({ winnerMetric: 'revenue' as never }), 2))).toBe(
      'abTest.winnerMetric',
    );
  });
});

describe('abSplit', () => {
  it('lays out hold-out, the variants by weight, then the rest', () => {
    const split = abSplit(
      test(),
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 3 },
      ],
      50_000,
    );
    expect(split).toEqual({
      holdout: { fromBucket: 0, toBucket: 1000 },
      variants: [
        { id: 'a', fromBucket: 1000, toBucket: 1500 },
        { id: 'b', fromBucket: 1500, toBucket: 3000 },
      ],
      rest: { fromBucket: 3000, toBucket: 10_000 },
    });
  });

  it('sizes a sample per variant to the audience, and refuses one that does not fit', () => {
    const split = abSplit(
      test({ testPercent: null, sampleSizePerVariant: 1000, holdoutPercent: 0 }),
      two,
      8000,
    );
    expect(split.holdout).toBeNull();
    expect(split.variants).toEqual([
      { id: 'a', fromBucket: 0, toBucket: 1250 },
      { id: 'b', fromBucket: 1250, toBucket: 2500 },
    ]);
    expect(split.rest).toEqual({ fromBucket: 2500, toBucket: 10_000 });
    const tooBig = test({ testPercent: null, sampleSizePerVariant: 1000, holdoutPercent: 20 });
    expect(fieldOf(() => abSplit(tooBig, two, 2400))).toBe('abTest.sampleSizePerVariant');
    expect(fieldOf(() => abSplit(tooBig, two, 0))).toBe('abTest.sampleSizePerVariant');
  });

  it('leaves no rest when the test takes everyone', () => {
    expect(abSplit(test({ testPercent: 100, holdoutPercent: 0 }), two, 10).rest).toBeNull();
  });

  it('splits many ids in the configured proportions by the stable bucket', () => {
    const split = abSplit(
      test({ testPercent: 30, holdoutPercent: 10 }),
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
        { id: 'c', weight: 1 },
      ],
      200_000,
    );
    const groups = new Map<string, number>();
    const n = 200_000;
    for (let i = 1; i <= n; i++) {
      const bucket = variantBucket(String(i * 7 + 13), 424_242);
      const inRange = (r: { fromBucket: number; toBucket: number } | null) =>
        !!r && bucket >= r.fromBucket && bucket < r.toBucket;
      const group = inRange(split.holdout)
        ? 'holdout'
        : (split.variants.find(inRange)?.id ?? (inRange(split.rest) ? 'rest' : 'none'));
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
    const share = (g: string) => (groups.get(g) ?? 0) / n;
    expect(groups.get('none')).toBeUndefined();
    expect(share('holdout')).toBeCloseTo(0.1, 2);
    for (const v of ['a', 'b', 'c']) expect(share(v)).toBeCloseTo(0.1, 2);
    expect(share('rest')).toBeCloseTo(0.6, 2);
  });
});
