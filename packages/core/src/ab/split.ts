import { VARIANT_BUCKETS, variantRanges } from '../domain/variant-bucket.js';
import { QunfaError } from '../errors.js';
import { AB_MAX_VARIANTS, type AbTest, abWinnerMetrics, abWinnerSelections } from './ab-test.js';

/** Buckets [fromBucket, toBucket) of 0..VARIANT_BUCKETS-1. */
export interface BucketRange {
  fromBucket: number;
  toBucket: number;
}

/** The stable split of an A/B test: hold-out first, then each variant's test sample, then the rest. */
export interface AbSplit {
  holdout: BucketRange | null;
  variants: ({ id: string } & BucketRange)[];
  rest: BucketRange | null;
}

/** 14 days: the longest a test phase may run (and a GraphQL Int can carry in ms). */
const MAX_DECISION_DELAY_MS = 14 * 24 * 3_600_000;

function invalid(field: string, message: string, details: Record<string, unknown> = {}): QunfaError {
  return new QunfaError('INVALID_INPUT', `${field}: ${message}`, { details: { field, ...details } });
}

/** Checks an A/B test against the campaign's variant count; INVALID_INPUT names the field. */
export function validateAbTest(test: AbTest, variantCount: number): void {
  if (variantCount < 2 || variantCount > AB_MAX_VARIANTS) {
    throw invalid('variants', `an A/B test needs 2 to ${AB_MAX_VARIANTS} variants, not ${variantCount}`);
  }
  if ((test.sampleSizePerVariant === null) === (test.testPercent === null)) {
    throw invalid('abTest.sampleSizePerVariant', 'give either sampleSizePerVariant or testPercent');
  }
  if (
    test.sampleSizePerVariant !== null &&
    (!Number.isInteger(test.sampleSizePerVariant) || test.sampleSizePerVariant < 1)
  ) {
    throw invalid('abTest.sampleSizePerVariant', 'a whole number of recipients, at least 1');
  }
  if (test.testPercent !== null && !(test.testPercent > 0 && test.testPercent <= 100)) {
    throw invalid('abTest.testPercent', 'above 0 and at most 100');
  }
  if (!(test.holdoutPercent >= 0 && test.holdoutPercent < 100)) {
    throw invalid('abTest.holdoutPercent', 'at least 0 and below 100');
  }
  if (test.testPercent !== null && test.testPercent + test.holdoutPercent > 100) {
    throw invalid('abTest.testPercent', 'test and hold-out together exceed 100 %');
  }
  if (!abWinnerMetrics.includes(test.winnerMetric)) {
    throw invalid('abTest.winnerMetric', `one of ${abWinnerMetrics.join(', ')}`);
  }
  if (!abWinnerSelections.includes(test.winnerSelection)) {
    throw invalid('abTest.winnerSelection', `one of ${abWinnerSelections.join(', ')}`);
  }
  if (
    !Number.isInteger(test.decisionDelayMs) ||
    test.decisionDelayMs < 1000 ||
    test.decisionDelayMs > MAX_DECISION_DELAY_MS
  ) {
    throw invalid('abTest.decisionDelayMs', 'between 1 s and 14 days, in whole ms');
  }
}

const percentBuckets = (percent: number) => Math.round((percent * VARIANT_BUCKETS) / 100);

/**
 * Splits the buckets for a test on an audience of `sendable` recipients (suppressed ones left out).
 * A sample per variant becomes the buckets that hold that many recipients in expectation (the split
 * is by a stable hash, so actual sizes vary slightly); it must fit beside the hold-out.
 */
export function abSplit(
  test: AbTest,
  variants: readonly { id: string; weight: number }[],
  sendable: number,
): AbSplit {
  validateAbTest(test, variants.length);
  const holdout = percentBuckets(test.holdoutPercent);
  let testBuckets: number;
  let ranges: { id: string; fromBucket: number; toBucket: number }[];
  if (test.sampleSizePerVariant !== null) {
    const needed = test.sampleSizePerVariant * variants.length;
    const available = VARIANT_BUCKETS - holdout;
    const perVariant =
      sendable > 0 ? Math.ceil((test.sampleSizePerVariant * VARIANT_BUCKETS) / sendable) : Infinity;
    if (perVariant * variants.length > available) {
      throw invalid(
        'abTest.sampleSizePerVariant',
        `a sample of ${variants.length} × ${test.sampleSizePerVariant} does not fit an audience of ${sendable}` +
          (holdout > 0 ? ` with a ${test.holdoutPercent} % hold-out` : ''),
        { needed, audience: sendable },
      );
    }
    testBuckets = perVariant * variants.length;
    ranges = variants.map((v, i) => ({
      id: v.id,
      fromBucket: i * perVariant,
      toBucket: (i + 1) * perVariant,
    }));
  } else {
    testBuckets = Math.min(percentBuckets(test.testPercent ?? 0), VARIANT_BUCKETS - holdout);
    ranges = variantRanges(variants).map((r) => ({
      id: r.id,
      fromBucket: Math.round((r.fromBucket * testBuckets) / VARIANT_BUCKETS),
      toBucket: Math.round((r.toBucket * testBuckets) / VARIANT_BUCKETS),
    }));
  }
  const shifted = ranges.map((r) => ({
    ...r,
    fromBucket: r.fromBucket + holdout,
    toBucket: r.toBucket + holdout,
  }));
  const restFrom = holdout + testBuckets;
  return {
    holdout: holdout > 0 ? { fromBucket: 0, toBucket: holdout } : null,
    variants: shifted,
    rest: restFrom < VARIANT_BUCKETS ? { fromBucket: restFrom, toBucket: VARIANT_BUCKETS } : null,
  };
}

/**
 * The test recipients the smallest variant can expect on an audience of `sendable` recipients:
 * what the "below 1,000 per variant" warning judges before a start.
 */
export function expectedSamplePerVariant(
  test: AbTest,
  variants: readonly { weight: number }[],
  sendable: number,
): number {
  if (test.sampleSizePerVariant !== null) return test.sampleSizePerVariant;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0 || variants.length === 0) return 0;
  const smallest = Math.min(...variants.map((v) => v.weight));
  return Math.floor(
    (sendable * (1 - test.holdoutPercent / 100) * ((test.testPercent ?? 0) / 100) * smallest) / total,
  );
}
