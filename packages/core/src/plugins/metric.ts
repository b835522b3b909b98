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
  /** Computed per campaign (the default); a `GroupMetricPlugin` says `group`. */
  subject?: 'campaign';
  label: string;
  unit: MetricUnit;
  thresholds?: MetricThresholds;
  /** A pure function of the counters; null when it is not defined yet (nothing sent). */
  compute(counters: MetricInput): number | null;
}

/**
 * What a customer group's health metric computes from: one group (WeCom 客户群) in one month,
 * China time, as the channel counted it from its sync and membership callbacks.
 */
export interface GroupMetricInput {
  /** `YYYY-MM`. */
  month: string;
  /** Members now, where known. */
  members: number | null;
  /** Members when the month began (members now − the month's joins + its leaves for the current month), where known. */
  membersAtStart: number | null;
  /** Members who joined in the month. */
  joins: number;
  /** Members who left (or were removed) in the month. */
  leaves: number;
  /** Messages a day members sent in the month, where the channel knows it; null or absent when not. */
  messagesPerDay?: number | null;
}

/**
 * A metric evaluated per customer group rather than per campaign (退群率, joins, members…). Its
 * thresholds are the default an admin overrides per workspace by its name, like a campaign
 * metric's; a group whose metric reaches `alarm` is flagged unhealthy, the metric its reason.
 */
export interface GroupMetricPlugin extends PluginCommon {
  kind: 'metric';
  /** `metric:<id>`, stable. */
  name: `metric:${string}`;
  subject: 'group';
  label: string;
  unit: MetricUnit;
  thresholds?: MetricThresholds;
  /** A pure function of one group's month; null when it is not known (members never counted). */
  compute(input: GroupMetricInput): number | null;
}

export function metricStatus(
  metric: Pick<MetricPlugin | GroupMetricPlugin, 'thresholds'>,
  value: number | null,
): MetricStatus {
  const t = metric.thresholds;
  if (value === null || !t) return 'none';
  if (t.better === 'higher') return value >= t.good ? 'good' : value < t.alarm ? 'alarm' : 'warn';
  return value <= t.good ? 'good' : value > t.alarm ? 'alarm' : 'warn';
}
