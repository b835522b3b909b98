import type { MetricThresholds } from '@qunfa/core';
import { z } from 'zod';

/** A metric's good and alarm levels, in its unit; the direction is the metric's own. */
export interface ThresholdLevels {
  /** At or past this level the console shows good. */
  good: number;
  /** Past this level (below for higher-is-better, above for lower-is-better) it shows alarm. */
  alarm: number;
}

const percentLevel = z.number().min(0).max(100);

/** The zod schema of a `thresholds` option for a percent metric that is better `better`. */
export function thresholdLevels(better: MetricThresholds['better']) {
  return z
    .strictObject({ good: percentLevel, alarm: percentLevel })
    .refine((t) => (better === 'higher' ? t.good >= t.alarm : t.good <= t.alarm), {
      message: better === 'higher' ? 'good must be at least alarm' : 'good must be at most alarm',
      path: ['good'],
    });
}

/** The thresholds of a metric from its defaults and an optional override. */
export function withLevels(
  better: MetricThresholds['better'],
  defaults: ThresholdLevels,
  override: ThresholdLevels | undefined,
): MetricThresholds {
  const levels = override ?? defaults;
  return { better, good: levels.good, alarm: levels.alarm };
}
