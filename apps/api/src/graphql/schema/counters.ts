import {
  type Counters as CountersShape,
  failureClasses,
  type MetricInput,
  type MetricPlugin,
  metricStatus,
  settledCount,
} from '@qunfa/core';
import type { ServiceDeps } from '../../services/deps.js';
import { feedbackCounts } from '../../services/metrics/feedback-counts.js';
import {
  type MetricLevels,
  metricLevels,
  withWorkspaceLevels,
} from '../../services/metrics/metric-levels.js';
import { builder } from '../builder.js';
import { FailureClassEnum, MetricStatusEnum } from './enums.js';

const FailureClassCount = builder
  .objectRef<{ failureClass: string; count: number }>('FailureClassCount')
  .implement({
    fields: (t) => ({
      failureClass: t.field({ type: FailureClassEnum, resolve: (f) => f.failureClass as never }),
      count: t.exposeInt('count'),
    }),
  });

export const Counters = builder.objectRef<CountersShape>('Counters').implement({
  description: 'Deliveries by current state, each counted once; exact, read from the database',
  fields: (t) => ({
    total: t.exposeInt('total'),
    waiting: t.exposeInt('waiting', { description: 'An A/B test rest, waiting for the winner' }),
    queued: t.exposeInt('queued'),
    submitted: t.exposeInt('submitted'),
    awaitingConfirmation: t.exposeInt('awaitingConfirmation'),
    sent: t.exposeInt('sent'),
    delivered: t.exposeInt('delivered'),
    read: t.exposeInt('read'),
    clicked: t.exposeInt('clicked'),
    failed: t.exposeInt('failed'),
    suppressed: t.exposeInt('suppressed'),
    filtered: t.exposeInt('filtered'),
    uncertain: t.exposeInt('uncertain'),
    settled: t.int({ description: 'Deliveries the engine is done with', resolve: (c) => settledCount(c) }),
    failedByClass: t.field({
      type: [FailureClassCount],
      resolve: (c) =>
        failureClasses.map((failureClass) => ({ failureClass, count: c.failedByClass[failureClass] })),
    }),
  }),
});

export interface MetricValue {
  name: string;
  label: string;
  unit: string;
  value: number | null;
  status: 'good' | 'warn' | 'alarm' | 'none';
}

export const Metric = builder.objectRef<MetricValue>('Metric').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    label: t.exposeString('label'),
    unit: t.exposeString('unit'),
    value: t.exposeFloat('value', { nullable: true }),
    status: t.field({ type: MetricStatusEnum, resolve: (m) => m.status }),
  }),
});

/** Every loaded metric plugin over a campaign's counters. */
export function computeMetrics(
  metrics: readonly MetricPlugin[],
  counters: MetricInput,
  levels: MetricLevels = {},
): MetricValue[] {
  return metrics.map((plugin) => {
    const m = withWorkspaceLevels(plugin, levels);
    const value = m.compute(counters);
    return { name: m.name, label: m.label, unit: m.unit, value, status: metricStatus(m, value) };
  });
}

/** A campaign's metrics: its counters with what came back (replies, complaints, conversions), at its workspace's levels. */
export async function campaignMetrics(
  deps: ServiceDeps,
  campaign: { id: string; workspaceId: string },
  counters: CountersShape,
): Promise<MetricValue[]> {
  const [feedback, levels] = await Promise.all([
    feedbackCounts(deps.db, campaign.id),
    metricLevels(deps.db, Number(campaign.workspaceId)),
  ]);
  return computeMetrics(deps.registry.metrics, { ...counters, feedback }, levels);
}
