import { type Counters, type MetricPlugin, parsePluginOptions, reachedCount } from '@qunfa/core';
import { z } from 'zod';
import { engagedCount, percent } from './counts.js';
import { type ThresholdLevels, thresholdLevels, withLevels } from './thresholds.js';

export interface OpenRateOptions {
  /** Levels in percent. Default good ≥ 25, alarm < 15. */
  thresholds?: ThresholdLevels;
}

const schema = z.strictObject({ thresholds: thresholdLevels('higher').optional() });

/**
 * `metric:open-rate`, 打开率: read or clicked over reached (sent or better), in percent:
 * `(read + clicked) / (sent + delivered + read + clicked)`. Null until the first read or click
 * is recorded: channels that report no reads would otherwise show a false 0 % alarm.
 */
export function openRate(options?: OpenRateOptions): MetricPlugin {
  const { thresholds } = parsePluginOptions('metric:open-rate', schema, options);
  return {
    kind: 'metric',
    name: 'metric:open-rate',
    label: 'Open rate',
    unit: 'percent',
    thresholds: withLevels('higher', { good: 25, alarm: 15 }, thresholds),
    compute: (c: Counters) => (engagedCount(c) === 0 ? null : percent(engagedCount(c), reachedCount(c))),
  };
}
