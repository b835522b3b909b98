import { type GroupMetricInput, type GroupMetricPlugin, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';
import { percent } from './counts.js';
import { type ThresholdLevels, thresholdLevels, withLevels } from './thresholds.js';

export interface GroupQuitRateOptions {
  /** Levels in percent of the month's starting members (lower is better). Default good 3, alarm 5. */
  thresholds?: ThresholdLevels;
}

/**
 * Seed 004's 退群率: healthy under 5 % a month. With the kernel's levels, alarm is strictly past
 * its level, so a month past 5 % flags the group; 3–5 % shows warn, for a look before it tips.
 */
export const defaultQuitRateLevels: Readonly<ThresholdLevels> = { good: 3, alarm: 5 };

const quitRateSchema = z.strictObject({ thresholds: thresholdLevels('lower').optional() });

/**
 * `metric:group-quit-rate` (退群率): members who left a customer group in the month over its
 * members when the month began, in percent. Null while the members were never counted (no sync
 * yet) or the group began the month empty.
 */
export function groupQuitRate(options?: GroupQuitRateOptions): GroupMetricPlugin {
  const { thresholds } = parsePluginOptions('metric:group-quit-rate', quitRateSchema, options);
  return {
    kind: 'metric',
    name: 'metric:group-quit-rate',
    subject: 'group',
    label: 'Leave rate (退群率)',
    unit: 'percent',
    thresholds: withLevels('lower', defaultQuitRateLevels, thresholds),
    compute: (g) => (g.membersAtStart === null ? null : percent(g.leaves, g.membersAtStart)),
  };
}

const countOf = (
  name: GroupMetricPlugin['name'],
  label: string,
  value: (g: GroupMetricInput) => number | null,
): GroupMetricPlugin => ({ kind: 'metric', name, subject: 'group', label, unit: 'count', compute: value });

/** `metric:group-members`: members now, where counted (no levels: a size is not good or bad). */
export const groupMembers = () => countOf('metric:group-members', 'Members', (g) => g.members);
/** `metric:group-joins`: members who joined in the month. */
export const groupJoins = () => countOf('metric:group-joins', 'Joins', (g) => g.joins);
/** `metric:group-leaves`: members who left in the month. */
export const groupLeaves = () => countOf('metric:group-leaves', 'Leaves', (g) => g.leaves);

/** The default customer-group health metrics, in the order a console lists them. */
export function builtinGroupMetrics(): GroupMetricPlugin[] {
  return [groupMembers(), groupJoins(), groupLeaves(), groupQuitRate()];
}
