import type { WecomChannel } from '@qunfa/channels';
import { type ChannelPlugin, type GroupMetricInput, metricStatus } from '@qunfa/core';
import type { ServiceDeps } from '../deps.js';
import { type MetricLevels, withWorkspaceLevels } from '../metrics/metric-levels.js';
import { contextOf } from '../wecom/customer-tasks.js';
import type { CustomerGroupRow } from './group-rows.js';

/** One group metric's value and colour, as a campaign metric's (`Metric` over GraphQL). */
export interface MetricValue {
  name: string;
  label: string;
  unit: string;
  value: number | null;
  status: 'good' | 'warn' | 'alarm' | 'none';
}

/** A metric whose status is alarm: why a group is flagged unhealthy. */
export interface HealthReason {
  metric: string;
  label: string;
  unit: string;
  value: number;
  /** The level it is past (the workspace's where an admin set one, else the plugin's). */
  alarm: number;
  better: 'higher' | 'lower';
}

/** A group's health in a month: every group metric, and unhealthy when one of them is at alarm. */
export interface GroupHealthReport {
  month: string;
  /** The month's counts the metrics read; null when the group's channel is not a loaded WeCom corp. */
  input: GroupMetricInput | null;
  metrics: MetricValue[];
  /** False when a metric is at alarm; true when one has a value and none is; null when nothing is known. */
  healthy: boolean | null;
  reasons: HealthReason[];
}

type MonthsChannel = ChannelPlugin & Pick<WecomChannel, 'groupMonths'>;
const hasGroupMonths = (c: ChannelPlugin | undefined): c is MonthsChannel =>
  typeof (c as Partial<WecomChannel> | undefined)?.groupMonths === 'function';

/** The month of an instant in China time (UTC+8), `YYYY-MM`: the month groups are counted by. */
export const chinaMonthOf = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

/** Evaluates the loaded group metrics (at the workspace's levels) on one group's month. */
export function evaluateGroup(
  deps: Pick<ServiceDeps, 'registry'>,
  month: string,
  input: GroupMetricInput | null,
  levels: MetricLevels,
): GroupHealthReport {
  const metrics: MetricValue[] = [];
  const reasons: HealthReason[] = [];
  for (const plugin of deps.registry.groupMetrics) {
    const m = withWorkspaceLevels(plugin, levels);
    const value = input === null ? null : m.compute(input);
    const status = metricStatus(m, value);
    metrics.push({ name: m.name, label: m.label, unit: m.unit, value, status });
    if (status === 'alarm' && value !== null && m.thresholds)
      reasons.push({
        metric: m.name,
        label: m.label,
        unit: m.unit,
        value,
        alarm: m.thresholds.alarm,
        better: m.thresholds.better,
      });
  }
  const judged = metrics.some((m) => m.status !== 'none');
  return { month, input, metrics, healthy: reasons.length > 0 ? false : judged ? true : null, reasons };
}

/**
 * The health of many groups in a month: one state read per channel (the groups' months as the
 * channel counted them from the sync and `change_external_chat`), then every group metric.
 */
export async function groupsHealth(
  deps: ServiceDeps,
  groups: readonly CustomerGroupRow[],
  month: string,
  levels: MetricLevels,
): Promise<Map<string, GroupHealthReport>> {
  const byChannel = new Map<string, CustomerGroupRow[]>();
  for (const g of groups) {
    if (g.channel === null) continue;
    byChannel.set(g.channel, [...(byChannel.get(g.channel) ?? []), g]);
  }
  const inputs = new Map<string, GroupMetricInput>();
  for (const [name, list] of byChannel) {
    const channel = deps.registry.channels.find((c) => c.name === name);
    if (!hasGroupMonths(channel)) continue;
    const months = await channel.groupMonths(
      list.map((g) => g.chatId),
      contextOf(deps, channel),
      month,
    );
    for (const g of list) {
      const m = months.get(g.chatId);
      if (m) inputs.set(g.id, m);
    }
  }
  return new Map(groups.map((g) => [g.id, evaluateGroup(deps, month, inputs.get(g.id) ?? null, levels)]));
}
