import {
  type BatchRef,
  type DeliveryState,
  type EscalationResult,
  type EscalationSweep,
  escalatingStates,
  type FailureClass,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import { writeAudit } from './audit.js';
import { applyCounterDeltas, CounterDelta, shardOf } from './counters-sql.js';
import { earlySettlesWindow } from './early-receipts-sql.js';
import { batchStepSql } from './plan-step-sql.js';

interface Candidate {
  id: string;
  state: DeliveryState;
  /** A kept early receipt says it reached what the window waits for (early-receipts-sql.ts). */
  early: boolean;
  /** Index into the window's `next`, or null when no later step can address the contact. */
  next: number | null;
}

/**
 * The first of the later steps (`d` the delivery) with an identity of the contact's that is still
 * reachable there: a channel whose relations with the contact all ended (an unfollowed OA, a
 * deleted friend) is skipped, as planning skips it (none recorded: reachable).
 */
function nextStepSql(next: EscalationSweep['windows'][number]['next']) {
  const steps = next.map((n, ord) => ({ ord, kinds: n.identityKinds, channel: n.channel }));
  return sql`(SELECT n.ord FROM jsonb_to_recordset(${JSON.stringify(steps)}::jsonb) AS n(ord int, kinds text[], channel text)
                WHERE EXISTS (SELECT 1 FROM contact_identities ci
                              WHERE ci.contact_id = d.contact_id AND ci.kind = ANY(n.kinds) AND ci.value <> '')
                  AND (SELECT coalesce(bool_or(cr.removed_by IS NULL), true) FROM contact_reach cr
                       WHERE cr.contact_id = d.contact_id AND cr.channel = n.channel)
                ORDER BY n.ord LIMIT 1)`;
}

/** Running campaigns whose channel plan has an escalation window or more than one step, oldest first (every tick: prepared). */
export function campaignsWithEscalation(db: Db, limit: number) {
  return preparedRows<{ workspaceId: string; campaignId: string }>(
    db,
    sql`SELECT workspace_id::text AS "workspaceId", id::text AS "campaignId" FROM campaigns
        WHERE state = 'running'
          AND (jsonb_array_length(channel_plan) > 1 OR jsonb_path_exists(channel_plan, '$[*].escalateAfter'))
        ORDER BY started_at, id LIMIT ${limit}`,
  );
}

/** Completed campaigns a failure receipt marked and no reopening sweep cleared since, oldest mark first (every tick: prepared). */
export function campaignsWithLateFailures(db: Db, limit: number) {
  return preparedRows<{ workspaceId: string; campaignId: string }>(
    db,
    sql`SELECT workspace_id::text AS "workspaceId", id::text AS "campaignId" FROM campaigns
        WHERE state = 'completed' AND id IN (SELECT campaign_id FROM campaign_late_failures)
        ORDER BY id LIMIT ${limit}`,
  );
}

/**
 * `Store.escalateUnconfirmed`: per window, one statement finds and locks the deliveries it
 * watches with their last attempt's time and the first later step the contact has an identity
 * for; then new batches, one update of the moved deliveries, the counters and an audit entry.
 */
export function escalateUnconfirmed(db: Db, sweep: EscalationSweep): Promise<EscalationResult> {
  const campaignId = Number(sweep.campaignId);
  const workspaceId = Number(sweep.workspaceId);
  const now = sweep.now.toISOString();
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    // A completed campaign is reopened below: its row is locked against a concurrent transition.
    const [open] = await rows<{ id: string; state: string }>(
      tx,
      sweep.reopenCompleted
        ? sql`SELECT id::text, state FROM campaigns WHERE id = ${campaignId}::bigint
                AND state IN ('running', 'completed') FOR UPDATE`
        : sql`SELECT id::text, state FROM campaigns WHERE id = ${campaignId}::bigint AND state = 'running' FOR SHARE`,
    );
    if (!open) return { escalated: 0, followUps: [], waiting: 0 };
    // The late-failure mark as this sweep found it, cleared at its end only if no receipt marked it
    // again meanwhile (a failure this sweep's reads may not see): the next tick then sweeps again.
    const [mark] = sweep.reopenCompleted
      ? await rows<{ marks: number }>(
          tx,
          sql`SELECT marks FROM campaign_late_failures WHERE campaign_id = ${campaignId}::bigint`,
        )
      : [];
    const clearMark = async () => {
      if (mark) {
        await tx.execute(sql`DELETE FROM campaign_late_failures
                             WHERE campaign_id = ${campaignId}::bigint AND marks = ${mark.marks}`);
      }
    };
    let waiting = 0;
    let budget = sweep.limit;
    const moves: {
      id: number;
      state: DeliveryState;
      failureClass?: FailureClass;
      channel: string;
      account: string | null;
      batchSize: number;
    }[] = [];
    for (const window of sweep.windows) {
      const next = window.next;
      // Judged where its channels' receipts are read up to, when that is before now.
      const judgedAt =
        window.receiptsReadUntil && window.receiptsReadUntil < sweep.now
          ? window.receiptsReadUntil.toISOString()
          : now;
      const watched = sql`d.campaign_id = ${campaignId}::bigint AND d.resolution IS NULL
        AND d.channel = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(window.channels)}::jsonb)))`;
      const sentAt = sql`coalesce((SELECT max(a.at) FROM delivery_attempts a WHERE a.delivery_id = d.id), d.updated_at)`;
      const cutoff = sql`${judgedAt}::timestamptz - make_interval(secs => ${window.afterMs / 1000}::float8)`;
      const states = escalatingStates(window);
      // Not sent yet (its window is still to come) or sent within the window: counted, not read one
      // by one nor locked — on a large campaign that is nearly every delivery, and each sweep (every
      // tick, after every batch) read, locked and planned the next step of all of them. Counted
      // before the moving ones are read: a row moves forward (queued, submitted, sent, past its
      // window) between the two statements, so it is seen by one or both, never by neither.
      const [unsent] = await rows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM deliveries d
            WHERE ${watched}
              AND d.state = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(['queued', 'submitted', ...states])}::jsonb)))
              AND (d.state IN ('queued', 'submitted') OR ${sentAt} > ${cutoff})`,
      );
      waiting += unsent?.n ?? 0;
      // Past their window: found and locked with the first later step the contact has an identity for.
      const candidates = await rows<Candidate>(
        tx,
        sql`SELECT d.id::text, d.state, ${earlySettlesWindow(window.unless)} AS early, ${nextStepSql(next)} AS next
            FROM deliveries d
            -- Filters, not joins: a row a concurrent settlement updates is rechecked as it now is.
            WHERE ${watched}
              AND d.state = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(states)}::jsonb)))
              AND ${sentAt} <= ${cutoff}
            ORDER BY d.id FOR UPDATE OF d`,
      );
      for (const c of candidates) {
        // Reported arrived by a receipt that beat its settlement and is applied by the next retry of
        // early receipts: it waits, never moved on a second channel.
        if (c.early) {
          waiting++;
          continue;
        }
        if (c.next === null) continue;
        if (budget === 0) {
          waiting++;
          continue;
        }
        budget--;
        const step = window.next[c.next]!;
        moves.push({
          id: Number(c.id),
          state: c.state,
          channel: step.channel,
          account: step.account,
          batchSize: step.batchSize,
        });
      }
    }
    if (sweep.held && sweep.held.length > 0) {
      // Held for their channel's verdict: confirmed and reported, or withdrawn and moved on.
      const [held] = await rows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM deliveries
            WHERE campaign_id = ${campaignId}::bigint AND state = 'awaiting_confirmation' AND resolution IS NULL
              AND channel = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(sweep.held)}::jsonb)))`,
      );
      waiting += held?.n ?? 0;
    }
    for (const step of sweep.failed ?? []) {
      const next = step.next;
      const failed = await rows<{ id: string; failureClass: FailureClass; next: number | null }>(
        tx,
        sql`SELECT d.id::text, d.failure_class AS "failureClass",
                   ${nextStepSql(next)} AS next
            FROM deliveries d
            WHERE d.campaign_id = ${campaignId}::bigint AND d.state = 'failed' AND d.resolution IS NULL
              AND d.channel = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(step.channels)}::jsonb)))
              AND d.failure_class = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(step.classes)}::jsonb)))
            ORDER BY d.id FOR UPDATE OF d`,
      );
      for (const f of failed) {
        if (f.next === null) continue;
        if (budget === 0) {
          waiting++;
          continue;
        }
        budget--;
        const to = step.next[f.next]!;
        moves.push({
          id: Number(f.id),
          state: 'failed',
          failureClass: f.failureClass,
          channel: to.channel,
          account: to.account,
          batchSize: to.batchSize,
        });
      }
    }
    if (moves.length === 0) {
      await clearMark();
      return { escalated: 0, followUps: [], waiting };
    }

    const [{ seq } = { seq: 0 }] = await rows<{ seq: number }>(
      tx,
      sql`SELECT coalesce(max(seq) + 1, 0)::int AS seq FROM batches WHERE campaign_id = ${campaignId}::bigint`,
    );
    const groups = new Map<string, typeof moves>();
    for (const m of moves) groups.set(m.channel, [...(groups.get(m.channel) ?? []), m]);
    const chunks = [...groups.values()].flatMap((group) =>
      Array.from({ length: Math.ceil(group.length / group[0]!.batchSize) }, (_, i) =>
        group.slice(i * group[0]!.batchSize, (i + 1) * group[0]!.batchSize),
      ),
    );
    const inserted = await rows<{ id: string; seq: number; step: number }>(
      tx,
      sql`INSERT INTO batches AS nb (workspace_id, campaign_id, channel, account, seq, state, due_at, size, created_at, updated_at)
          SELECT ${workspaceId}::bigint, ${campaignId}::bigint, b.channel, b.account, ${seq}::int + b.ord,
                 'queued', ${now}::timestamptz, b.size, ${now}::timestamptz, ${now}::timestamptz
          FROM jsonb_to_recordset(${JSON.stringify(
            chunks.map((c, ord) => ({ ord, channel: c[0]!.channel, account: c[0]!.account, size: c.length })),
          )}::jsonb) AS b(ord int, channel text, account text, size int)
          RETURNING nb.id::text, nb.seq, ${batchStepSql('nb')} AS step`,
    );
    const batches = inserted.sort((a, b) => a.seq - b.seq);
    const updates = chunks.flatMap((chunk, i) =>
      chunk.map((m) => ({ id: m.id, channel: m.channel, batch_id: Number(batches[i]!.id) })),
    );
    await tx.execute(sql`
      UPDATE deliveries d SET state = 'queued', channel = u.channel, batch_id = u.batch_id, attempts = 0,
             claimed_start = NULL, updated_at = ${now}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id bigint, channel text, batch_id bigint)
      WHERE d.id = u.id`);
    const deltas = new Map<number, CounterDelta>();
    for (const m of moves) {
      const delta = deltas.get(shardOf(m.id)) ?? new CounterDelta();
      delta.move({ state: m.state, failureClass: m.failureClass ?? null }, { state: 'queued' });
      deltas.set(shardOf(m.id), delta);
    }
    if (open.state === 'completed') {
      await tx.execute(sql`UPDATE campaigns SET state = 'running', finished_at = NULL, updated_at = ${now}::timestamptz
                           WHERE id = ${campaignId}::bigint`);
      await writeAudit(tx, {
        workspaceId,
        actor: { kind: 'system', id: 'engine' },
        // A state change like any other (campaign.state_changed, reason late_failures), so that a
        // partner hears completed → running → completed, one completion per episode, not two in a row.
        action: 'campaign.running',
        subjectType: 'campaign',
        subjectId: campaignId,
        details: { from: 'completed', to: 'running', reason: 'late_failures', count: moves.length },
        at: sweep.now,
      });
    }
    await writeAudit(tx, {
      workspaceId,
      actor: { kind: 'system', id: 'engine' },
      action: 'campaign.deliveries_escalated',
      subjectType: 'campaign',
      subjectId: campaignId,
      details: { count: moves.length, batches: batches.length },
      at: sweep.now,
    });
    await applyCounterDeltas(
      tx,
      [...deltas].map(([shard, delta]) => ({ campaign: { id: campaignId, workspaceId }, shard, delta })),
    );
    const followUps: BatchRef[] = batches.map((b) => ({
      id: b.id,
      workspaceId: sweep.workspaceId,
      campaignId: sweep.campaignId,
      dueAt: new Date(sweep.now),
      step: b.step,
    }));
    await clearMark();
    return { escalated: moves.length, followUps, waiting };
  });
}
