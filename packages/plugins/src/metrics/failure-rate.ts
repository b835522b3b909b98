import {
  type Counters,
  type FailureClass,
  failureClasses,
  type MetricPlugin,
  parsePluginOptions,
} from '@qunfa/core';
import { z } from 'zod';
import { attemptedCount, percent } from './counts.js';
import { type ThresholdLevels, thresholdLevels, withLevels } from './thresholds.js';

export interface FailureRateOptions {
  /** Count only this class, as `metric:failure-rate.<class>`. Default none: all failures. */
  failureClass?: FailureClass;
  /** Levels in percent (lower is better). Default per class, see `defaultFailureLevels`. */
  thresholds?: ThresholdLevels;
}

/**
 * Default levels in percent of attempted sends, lower is better. All failures mirror the
 * delivery rate (good ≤ 5, alarm > 10). Per class, from what a healthy mass send shows: a
 * fraction of a percent of network errors (retried), 1–2 % of recipients blocking the sender,
 * and any share of restricted accounts or rejected content worth a look at once.
 */
export const defaultFailureLevels: Readonly<Record<FailureClass | 'all', ThresholdLevels>> = {
  all: { good: 5, alarm: 10 },
  rate_limited: { good: 1, alarm: 5 },
  network: { good: 1, alarm: 2 },
  invalid_recipient: { good: 2, alarm: 5 },
  blocked_by_user: { good: 2, alarm: 5 },
  account_restricted: { good: 0.5, alarm: 2 },
  content_rejected: { good: 0, alarm: 1 },
  unknown: { good: 0.5, alarm: 2 },
  unconfirmed: { good: 5, alarm: 20 },
};

const labels: Record<FailureClass, string> = {
  rate_limited: 'rate limited',
  network: 'network',
  invalid_recipient: 'invalid recipient',
  blocked_by_user: 'blocked by user',
  account_restricted: 'account restricted',
  content_rejected: 'content rejected',
  unknown: 'unknown',
  unconfirmed: 'unconfirmed',
};

const schema = z.strictObject({
  failureClass: z.enum(failureClasses).optional(),
  thresholds: thresholdLevels('lower').optional(),
});

/**
 * `metric:failure-rate` (all failures) or `metric:failure-rate.<class>` (one class): failed
 * deliveries over deliveries whose send has a known result, in percent:
 *
 *   failed / (sent + delivered + read + clicked + failed + filtered)
 *
 * with `failedByClass[class]` as the numerator for one class. The same denominator as
 * `metric:delivery-rate`, so delivery rate + failure rate + the filtered share make 100.
 * Null until one send has a result.
 */
export function failureRate(options?: FailureRateOptions): MetricPlugin {
  const { failureClass, thresholds } = parsePluginOptions('metric:failure-rate', schema, options);
  const failed = failureClass ? (c: Counters) => c.failedByClass[failureClass] : (c: Counters) => c.failed;
  return {
    kind: 'metric',
    name: failureClass ? `metric:failure-rate.${failureClass}` : 'metric:failure-rate',
    label: failureClass ? `Failure rate (${labels[failureClass]})` : 'Failure rate',
    unit: 'percent',
    thresholds: withLevels('lower', defaultFailureLevels[failureClass ?? 'all'], thresholds),
    compute: (c) => percent(failed(c), attemptedCount(c)),
  };
}
