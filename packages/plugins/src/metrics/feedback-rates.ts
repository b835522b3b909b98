import {
  type FeedbackCounts,
  type MetricInput,
  type MetricPlugin,
  type MetricThresholds,
  parsePluginOptions,
  reachedCount,
} from '@qunfa/core';
import { z } from 'zod';
import { percent } from './counts.js';
import { type ThresholdLevels, thresholdLevels, withLevels } from './thresholds.js';

export interface FeedbackRateOptions {
  /** Levels in percent, in the metric's own direction. Default: see each metric. */
  thresholds?: ThresholdLevels;
}

/**
 * A share of reached recipients (sent or better) who answered in one way, in percent. Null
 * until something was reached, or when the app counts no feedback (a store without replies).
 */
function feedbackRate(
  name: `metric:${string}`,
  label: string,
  kind: keyof FeedbackCounts,
  better: MetricThresholds['better'],
  defaults: ThresholdLevels | undefined,
  options: FeedbackRateOptions | undefined,
): MetricPlugin {
  const schema = z.strictObject({ thresholds: thresholdLevels(better).optional() });
  const { thresholds } = parsePluginOptions(name, schema, options);
  const levels = thresholds ?? defaults;
  return {
    kind: 'metric',
    name,
    label,
    unit: 'percent',
    ...(levels ? { thresholds: withLevels(better, levels, undefined) } : {}),
    compute: (c: MetricInput) => (c.feedback ? percent(c.feedback[kind], reachedCount(c)) : null),
  };
}

/** `metric:reply-rate`, 回复率: recipients who replied over reached. No levels by default: a reply is neither good nor bad. */
export function replyRate(options?: FeedbackRateOptions): MetricPlugin {
  return feedbackRate('metric:reply-rate', 'Reply rate', 'replied', 'higher', undefined, options);
}

/** `metric:complaint-rate`, 投诉率: complaints over reached; lower is better, good ≤ 0.1, alarm > 0.3. */
export function complaintRate(options?: FeedbackRateOptions): MetricPlugin {
  return feedbackRate(
    'metric:complaint-rate',
    'Complaint rate',
    'complained',
    'lower',
    { good: 0.1, alarm: 0.3 },
    options,
  );
}

/** `metric:unsubscribe-rate`, 退订率: unsubscribes over reached; lower is better, good ≤ 0.5, alarm > 2. */
export function unsubscribeRate(options?: FeedbackRateOptions): MetricPlugin {
  return feedbackRate(
    'metric:unsubscribe-rate',
    'Unsubscribe rate',
    'unsubscribed',
    'lower',
    { good: 0.5, alarm: 2 },
    options,
  );
}

/**
 * `metric:conversion-rate`, 转化率: recipients with a conversion over reached; good ≥ 3.2 (seed 000's
 * form-submission rate), alarm < 0.8 (its paid-conversion rate).
 */
export function conversionRate(options?: FeedbackRateOptions): MetricPlugin {
  return feedbackRate(
    'metric:conversion-rate',
    'Conversion rate',
    'converted',
    'higher',
    { good: 3.2, alarm: 0.8 },
    options,
  );
}
