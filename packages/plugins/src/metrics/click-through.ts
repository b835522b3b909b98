import { type Counters, type MetricPlugin, parsePluginOptions, reachedCount } from '@qunfa/core';
import { z } from 'zod';
import { engagedCount, percent } from './counts.js';
import { type ThresholdLevels, thresholdLevels, withLevels } from './thresholds.js';

export interface ClickThroughOptions {
  /** Levels in percent. Default good ≥ 8, alarm < 3. */
  thresholds?: ThresholdLevels;
}

const schema = z.strictObject({ thresholds: thresholdLevels('higher').optional() });

/**
 * `metric:click-through`, 点击率: clicked over reached (sent or better), in percent:
 * `clicked / (sent + delivered + read + clicked)`, so that it equals open rate × click-to-open.
 * Null until the first read or click is recorded (a channel without engagement tracking); once
 * reads are tracked, zero clicks is a real 0 % (a broken link shows as an alarm).
 */
export function clickThrough(options?: ClickThroughOptions): MetricPlugin {
  const { thresholds } = parsePluginOptions('metric:click-through', schema, options);
  return {
    kind: 'metric',
    name: 'metric:click-through',
    label: 'Click-through rate',
    unit: 'percent',
    thresholds: withLevels('higher', { good: 8, alarm: 3 }, thresholds),
    compute: (c: Counters) => (engagedCount(c) === 0 ? null : percent(c.clicked, reachedCount(c))),
  };
}
