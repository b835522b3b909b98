import {
  type Campaign,
  type CampaignPlan,
  type CampaignState,
  type CampaignTransition,
  type ClaimedBatch,
  type Counters,
  type PlanSummary,
  QunfaError,
  type Store,
} from '@qunfa/core';
import { and, eq, sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import { batches, campaigns } from '../db/schema/index.js';
import { abTestCounts, abTestsDue, decideAbTest } from './ab-test-sql.js';
import { readAccountHealth, writeAccountHealth } from './account-sql.js';
import { writeAudit } from './audit.js';
import { loadCampaign } from './campaign-mapper.js';
import { cancelUnsent } from './cancel-sql.js';
import { claimBatch } from './claim-sql.js';
import { CounterDelta, readCounters } from './counters-sql.js';
import { applyReceiptGroups, applyReceipts, retryEarlyReceipts } from './early-receipts-sql.js';
import { campaignsWithEscalation, campaignsWithLateFailures, escalateUnconfirmed } from './escalation-sql.js';
import { countPlannedRecipients, executePlan } from './plan-sql.js';
import { planStepIndexSql } from './plan-step-sql.js';
import { previewPlan } from './preview-plan.js';
import { createRun, recurringDue, setNextRunAt } from './run-sql.js';
import { releaseBatch, settleBatch } from './settle-sql.js';
import { rescheduleWaiting, waitingBatches } from './waiting-sql.js';

const terminal: ReadonlySet<CampaignState> = new Set(['completed', 'cancelled', 'failed']);

/** Parses an id the way the store keys rows; a malformed id matches nothing. */
export function numericId(id: string): number | undefined {
  const n = Number(id);
  return /^\d+$/.test(id) && Number.isSafeInteger(n) ? n : undefined;
}

async function applyTransition(tx: Db, t: CampaignTransition): Promise<void> {
  const id = numericId(t.campaignId);
  const workspaceId = numericId(t.workspaceId);
  const updated =
    id === undefined || workspaceId === undefined
      ? []
      : await tx
          .update(campaigns)
          .set({
            state: t.to,
            updatedAt: t.at,
            ...(t.to === 'running'
              ? {
                  startedAt: sql`coalesce(${campaigns.startedAt}, ${t.at.toISOString()}::timestamptz)`,
                  // Fixed at the first start, so the whole campaign counts opens one way (a workspace
                  // that changes its mind changes campaigns started afterwards), and the send path
                  // needs no per-batch lookup of the workspace.
                  openPixel: sql`coalesce(${campaigns.openPixel}, (SELECT w.open_pixel FROM workspaces w WHERE w.id = ${campaigns.workspaceId}))`,
                }
              : {}),
            ...(terminal.has(t.to) ? { finishedAt: t.at } : {}),
          })
          .where(
            and(eq(campaigns.id, id), eq(campaigns.workspaceId, workspaceId), eq(campaigns.state, t.from)),
          )
          .returning({ id: campaigns.id });
  if (updated.length === 0) {
    const current =
      id === undefined || workspaceId === undefined
        ? undefined
        : (
            await tx
              .select({ state: campaigns.state })
              .from(campaigns)
              .where(and(eq(campaigns.id, id), eq(campaigns.workspaceId, workspaceId)))
          )[0];
    if (!current) throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${t.campaignId} not found`);
    throw new QunfaError('ILLEGAL_TRANSITION', `campaign is ${current.state}, not ${t.from}`, {
      details: { from: current.state, to: t.to },
    });
  }
  if (t.to === 'cancelled') await cancelUnsent(tx, { id: id!, workspaceId: workspaceId! }, t.at);
  await writeAudit(tx, {
    workspaceId: t.workspaceId,
    actor: t.actor,
    action: `campaign.${t.to}`,
    subjectType: 'campaign',
    subjectId: t.campaignId,
    details: { from: t.from, to: t.to, ...(t.reason ? { reason: t.reason } : {}) },
    at: t.at,
  });
}

/** The engine's store on PostgreSQL or PGlite: set-based SQL, one transaction per step. */
export function createSqlStore(db: Db): Store {
  const mustLoad = async (tx: Db, id: string): Promise<Campaign> => {
    const campaign = await loadCampaign(tx, Number(id));
    if (!campaign) throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${id} not found`);
    return campaign;
  };

  return {
    async getCampaign(campaignId) {
      const id = numericId(campaignId);
      return id === undefined ? undefined : loadCampaign(db, id);
    },

    transitionCampaign(t) {
      return db.transaction(async (tx) => {
        await applyTransition(tx as unknown as Db, t);
        return mustLoad(tx as unknown as Db, t.campaignId);
      });
    },

    startCampaign(t: CampaignTransition, plan: CampaignPlan) {
      return db.transaction(async (raw) => {
        const tx = raw as unknown as Db;
        await applyTransition(tx, t);
        const summary: PlanSummary = await executePlan(tx, plan, t.at);
        return { campaign: await mustLoad(tx, t.campaignId), summary };
      });
    },

    countAudience(plan) {
      return countPlannedRecipients(db, plan);
    },

    previewPlan(plan) {
      return previewPlan(db, plan);
    },

    createRun(input) {
      return createRun(db, input);
    },

    setNextRunAt(templateId, nextRunAt) {
      return setNextRunAt(db, templateId, nextRunAt);
    },

    recurringDue(now, limit) {
      return recurringDue(db, now, limit);
    },

    async scheduledCampaignsDue(now, limit) {
      // Every tick: a prepared statement (parsed once per connection, not every 250 ms).
      const due = await preparedRows<{ id: string; workspace_id: string }>(
        db,
        sql`SELECT id::text, workspace_id::text FROM campaigns
            WHERE state = 'scheduled' AND schedule IS NULL AND scheduled_at <= ${now.toISOString()}::timestamptz
            ORDER BY scheduled_at LIMIT ${limit}`,
      );
      return due.map((c) => ({ campaignId: c.id, workspaceId: c.workspace_id }));
    },

    async dueBatches(now, limit) {
      return batchRefs(
        db,
        sql`b.state = 'queued' AND b.due_at <= ${now.toISOString()}::timestamptz AND c.state = 'running'`,
        sql`b.due_at, b.seq`,
        limit,
      );
    },

    async expiredLeases(now, limit) {
      return batchRefs(
        db,
        sql`b.state = 'leased' AND b.lease_until < ${now.toISOString()}::timestamptz`,
        sql`b.lease_until`,
        limit,
      );
    },

    claimBatch(input): Promise<ClaimedBatch | undefined> {
      return claimBatch(db, input);
    },

    async renewLease({ batchId, owner, now, leaseMs }) {
      const id = numericId(batchId);
      if (id === undefined) return false;
      const renewed = await db
        .update(batches)
        .set({ leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now })
        .where(and(eq(batches.id, id), eq(batches.state, 'leased'), eq(batches.leaseOwner, owner)))
        .returning({ id: batches.id });
      return renewed.length > 0;
    },

    releaseBatch(input) {
      return releaseBatch(db, input);
    },

    settleBatch(settlement) {
      return settleBatch(db, settlement);
    },

    waitingBatches(campaignId, now) {
      return waitingBatches(db, numericId(campaignId) ?? -1, now);
    },

    rescheduleWaiting(input) {
      return rescheduleWaiting(db, input);
    },

    async completeIfDone(campaignId, at) {
      const id = numericId(campaignId);
      if (id === undefined) return undefined;
      // Called after every settlement, and almost always with batches left: one read answers that
      // without a transaction. It runs after the caller's commit, as the update below does, so the
      // last settlement to commit still sees every other one and completes the campaign.
      const [busy] = await rows<{ one: number }>(
        db,
        sql`SELECT 1 AS one FROM batches WHERE campaign_id = ${id} AND state IN ('queued', 'leased') LIMIT 1`,
      );
      if (busy) return undefined;
      return db.transaction(async (raw) => {
        const tx = raw as unknown as Db;
        const done = await rows<{ workspace_id: string }>(
          tx,
          sql`UPDATE campaigns SET state = 'completed', finished_at = ${at.toISOString()}::timestamptz, updated_at = ${at.toISOString()}::timestamptz
              WHERE id = ${id} AND state = 'running' AND (ab_phase IS NULL OR ab_phase = 'decided')
                AND NOT EXISTS (SELECT 1 FROM batches WHERE campaign_id = ${id} AND state IN ('queued', 'leased'))
                AND NOT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = ${id} AND state = 'awaiting_confirmation')
              RETURNING workspace_id::text`,
        );
        const [row] = done;
        if (!row) return undefined;
        await writeAudit(tx, {
          workspaceId: row.workspace_id,
          actor: { kind: 'system', id: 'engine' },
          action: 'campaign.completed',
          subjectType: 'campaign',
          subjectId: campaignId,
          details: { from: 'running', to: 'completed' },
          at,
        });
        return mustLoad(tx, campaignId);
      });
    },

    dropUncertain({ campaignId, actor, at }) {
      return db.transaction(async (raw) => {
        const tx = raw as unknown as Db;
        const campaign = await mustLoad(tx, campaignId);
        const dropped = await rows<{ id: string }>(
          tx,
          sql`UPDATE deliveries SET state = 'failed', failure_class = 'unknown', resolution = 'dropped',
                     last_error = 'dropped by an operator: it may have been sent', updated_at = ${at.toISOString()}::timestamptz
              WHERE campaign_id = ${Number(campaignId)}::bigint AND state = 'uncertain' AND resolution IS NULL
              RETURNING id::text`,
        );
        if (dropped.length > 0) {
          const delta = new CounterDelta();
          delta.add({ state: 'uncertain' }, -dropped.length);
          delta.add({ state: 'failed', failureClass: 'unknown' }, dropped.length);
          await delta.apply(tx, { id: Number(campaignId), workspaceId: Number(campaign.workspaceId) }, 0);
        }
        await writeAudit(tx, {
          workspaceId: campaign.workspaceId,
          actor,
          action: 'campaign.uncertain_dropped',
          subjectType: 'campaign',
          subjectId: campaignId,
          details: { count: dropped.length },
          at,
        });
        return dropped.length;
      });
    },

    abTestsDue(now, limit) {
      return abTestsDue(db, now, limit);
    },

    abTestCounts(campaignId) {
      return abTestCounts(db, numericId(campaignId) ?? -1);
    },

    decideAbTest(decision) {
      return decideAbTest(db, decision);
    },

    accountHealth(channel) {
      return readAccountHealth(db, channel);
    },

    setAccountHealth(health, actor) {
      return writeAccountHealth(db, health, actor);
    },

    applyReceipts(events, options) {
      return applyReceipts(db, events, options?.keepUntil);
    },
    applyReceiptGroups(groups, options) {
      return applyReceiptGroups(db, groups, options?.keepUntil);
    },

    retryEarlyReceipts(retry) {
      return retryEarlyReceipts(db, retry);
    },

    campaignsWithLateFailures(limit) {
      return campaignsWithLateFailures(db, limit);
    },

    campaignsWithEscalation(limit) {
      return campaignsWithEscalation(db, limit);
    },

    escalateUnconfirmed(sweep) {
      return escalateUnconfirmed(db, sweep);
    },

    async counters(campaignId): Promise<Counters> {
      const id = numericId(campaignId);
      return readCounters(db, id ?? -1);
    },
  };
}

async function batchRefs(
  db: Db,
  where: ReturnType<typeof sql>,
  order: ReturnType<typeof sql>,
  limit: number,
) {
  // Every tick (due batches, expired leases): prepared, parsed once per connection.
  const found = await preparedRows<{
    id: string;
    workspace_id: string;
    campaign_id: string;
    due_at: string;
    step: number;
  }>(
    db,
    sql`SELECT b.id::text, b.workspace_id::text, b.campaign_id::text, to_json(b.due_at) #>> '{}' AS due_at,
               ${planStepIndexSql(sql`b.channel`, sql`c.channel_plan`, sql`c.channel_mode`)} AS step
        FROM batches b JOIN campaigns c ON c.id = b.campaign_id
        WHERE ${where} ORDER BY ${order} LIMIT ${limit}`,
  );
  return found.map((b) => ({
    id: b.id,
    workspaceId: b.workspace_id,
    campaignId: b.campaign_id,
    dueAt: new Date(b.due_at),
    step: b.step,
  }));
}
