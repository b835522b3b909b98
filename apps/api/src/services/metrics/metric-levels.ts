import { type GroupMetricPlugin, type MetricPlugin, QunfaError } from '@qunfa/core';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import { actorOf } from '../review-state.js';
import { validate } from '../validate.js';

export type MetricLevels = Record<string, { good: number; alarm: number }>;

const levelsInput = z
  .array(
    z.strictObject({
      metric: z.string().min(1).max(100),
      good: z.number().finite(),
      alarm: z.number().finite(),
    }),
  )
  .max(200);

/** The workspace's own metric levels, by metric name. */
export async function metricLevels(db: Db, workspaceId: number): Promise<MetricLevels> {
  const [row] = await db
    .select({ levels: workspaces.metricThresholds })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.levels ?? {};
}

/** A metric (of campaigns or of customer groups) with the workspace's levels in place of its own (its direction kept). */
export function withWorkspaceLevels<M extends MetricPlugin | GroupMetricPlugin>(
  metric: M,
  levels: MetricLevels,
): M {
  const own = levels[metric.name];
  if (!own) return metric;
  return { ...metric, thresholds: { better: metric.thresholds?.better ?? 'higher', ...own } };
}

/**
 * An admin replaces the workspace's metric levels. Each names a loaded metric — of campaigns or of
 * customer groups (`metric:group-quit-rate`) — and keeps its
 * direction: good at least alarm for higher-is-better metrics, at most for lower-is-better ones.
 */
export async function setMetricLevels(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
): Promise<MetricLevels> {
  const p = authorize(principal, 'admin');
  const levels: MetricLevels = {};
  for (const [i, l] of validate(levelsInput, input).entries()) {
    const metric =
      deps.registry.metrics.find((m) => m.name === l.metric) ??
      deps.registry.groupMetrics.find((m) => m.name === l.metric);
    if (!metric) {
      throw new QunfaError('PLUGIN_NOT_FOUND', `metric ${l.metric} is not loaded`, {
        details: { field: `levels.${i}.metric` },
      });
    }
    const better = metric.thresholds?.better ?? 'higher';
    if (better === 'higher' ? l.good < l.alarm : l.good > l.alarm) {
      throw new QunfaError(
        'INVALID_INPUT',
        `${l.metric}: good must be ${better === 'higher' ? 'at least' : 'at most'} alarm`,
        { details: { field: `levels.${i}.good` } },
      );
    }
    if (levels[l.metric]) {
      throw new QunfaError('INVALID_INPUT', `${l.metric} twice`, {
        details: { field: `levels.${i}.metric` },
      });
    }
    levels[l.metric] = { good: l.good, alarm: l.alarm };
  }
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.update(workspaces).set({ metricThresholds: levels }).where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'workspace.metric_levels',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { levels },
    });
  });
  return levels;
}
