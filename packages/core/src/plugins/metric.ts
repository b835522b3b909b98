import type { Counters } from '../domain/counters.js';
import type { PluginCommon } from './common.js';

/** Recipients who answered a campaign, each counted once per kind. */
export interface FeedbackCounts {
  /** Recipients who replied at all. */
  replied: number;
  /** Recipients whose reply was classified a complaint. */
  complained: number;
  /** Recipients who unsubscribed (by reply or link). */
  unsubscribed: number;
  /** Recipients with at least one conversion attributed. */
  converted: number;
}

/** What a metric computes from: the counters, and what came back where the app counts it. */
export type MetricInput = Counters & { feedback?: FeedbackCounts };

export type MetricUnit = 'percent' | 'count' | 'ratio';

/**
 * Thresholds the console colours by. For `higher`, value ≥ good is good and value < alarm
 * is alarm; for `lower`, value ≤ good is good and value > alarm is alarm; between is warn.
 */
export interface MetricThresholds {
  better: 'higher' | 'lower';
  good: number;
  alarm: number;
}

export type MetricStatus = 'good' | 'warn' | 'alarm' | 'none';

export interface MetricPlugin extends PluginCommon {
  kind: 'metric';
  /** `metric:<id>`, stable. */
  name: `metric:${string}`;
  label: string;
  unit: MetricUnit;
  thresholds?: MetricThresholds;
  /** A pure function of the counters; null when it is not defined yet (nothing sent). */
  compute(counters: MetricInput): number | null;
}

export function metricStatus(metric: MetricPlugin, value: number | null): MetricStatus {
  const t = metric.thresholds;
  if (value === null || !t) return 'none';
  if (t.better === 'higher') return value >= t.good ? 'good' : value < t.alarm ? 'alarm' : 'warn';
  return value <= t.good ? 'good' : value > t.alarm ? 'alarm' : 'warn';
}
