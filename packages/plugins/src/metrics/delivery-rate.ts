import { type Counters, type MetricPlugin, parsePluginOptions, reachedCount } from '@qunfa/core';
import { z } from 'zod';
import { attemptedCount, percent } from './counts.js';
import { type ThresholdLevels, thresholdLevels, withLevels } from './thresholds.js';

export interface DeliveryRateOptions {
  /**
   * Count `sent` as reached. Default true: most channels give no receipts, and on those that do a
   * failure receipt moves the delivery to failed or filtered. False counts only delivered or
   * better, for campaigns whose channels all confirm delivery.
   */
  sentCountsAsReached?: boolean;
  /** Levels in percent. Default good ≥ 95, alarm < 90. */
  thresholds?: ThresholdLevels;
}

const schema = z.strictObject({
  sentCountsAsReached: z.boolean().default(true),
  thresholds: thresholdLevels('higher').optional(),
});

/**
 * `metric:delivery-rate`, 到达率 (送达率): of the deliveries whose send has a known result, the
 * share that reached the recipient, in percent:
 *
 *   (sent + delivered + read + clicked) / (sent + delivered + read + clicked + failed + filtered)
 *
 * (without `sent` in the numerator when `sentCountsAsReached` is false). Suppressed deliveries
 * were never attempted and stay out, as do queued, in-flight, uncertain and awaiting-confirmation
 * ones. This is what operators mean by a send's success rate (95–98 % for a healthy WeChat mass
 * send): failures by blocked users, bad numbers, restricted accounts and provider drops count
 * against it. Null until one send has a result.
 */
export function deliveryRate(options?: DeliveryRateOptions): MetricPlugin {
  const name = 'metric:delivery-rate';
  const { sentCountsAsReached, thresholds } = parsePluginOptions(name, schema, options);
  return {
    kind: 'metric',
    name,
    label: 'Delivery rate',
    unit: 'percent',
    thresholds: withLevels('higher', { good: 95, alarm: 90 }, thresholds),
    compute(c: Counters) {
      const reached = sentCountsAsReached ? reachedCount(c) : reachedCount(c) - c.sent;
      return percent(reached, attemptedCount(c));
    },
  };
}
