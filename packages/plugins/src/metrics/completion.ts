import { type Counters, type MetricPlugin, parsePluginOptions, settledCount } from '@qunfa/core';
import { z } from 'zod';
import { percent } from './counts.js';

/** `completion()` takes no options; the empty object is accepted for symmetry. */
export type CompletionOptions = Record<string, never>;

const schema = z.strictObject({});

/**
 * `metric:completion`: progress of a campaign, settled deliveries over planned ones, in percent:
 * `settledCount / total` (sent or better, failed, suppressed, filtered, uncertain, awaiting
 * confirmation). No thresholds: it is a progress bar, not a health signal. Null for an empty plan.
 */
export function completion(options?: CompletionOptions): MetricPlugin {
  parsePluginOptions('metric:completion', schema, options);
  return {
    kind: 'metric',
    name: 'metric:completion',
    label: 'Completion',
    unit: 'percent',
    compute: (c: Counters) => percent(settledCount(c), c.total),
  };
}
