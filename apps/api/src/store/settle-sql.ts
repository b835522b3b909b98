import {
  type BatchRef,
  type BatchSettlement,
  type DeliveryResult,
  type DeliveryState,
  endRetry,
  type FailureClass,
  QunfaError,
  type SettleResult,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import { cancelUnsent, lockCampaignOfBatch } from './cancel-sql.js';
import { applyCounterDeltas, CounterDelta, readCounters, shardOf } from './counters-sql.js';
import { applyEarlyOfSettled } from './early-receipts-sql.js';
import { intArrayLiteral, textArrayLiteral } from './pg-array.js';
import { batchStepSql } from './plan-step-sql.js';

/** Column arrays of one statement's rows, sent as array literals to `unnest`. */
function newColumns<I extends string, T extends string>(intKeys: I[], textKeys: T[]) {
  const ints = Object.fromEntries(intKeys.map((k) => [k, []])) as unknown as Record<I, (number | null)[]>;
  const texts = Object.fromEntries(textKeys.map((k) => [k, []])) as unknown as Record<T, (string | null)[]>;
  return {
    ints,
    texts,
    int: (k: I) => intArrayLiteral(ints[k]),
    text: (k: T) => textArrayLiteral(texts[k]),
  };
}

interface OldDelivery {
  id: string;
  state: DeliveryState;
  failure_class: FailureClass | null;
  channel: string | null;
  attempts: number;
}

interface LeasedBatch {
  id: string;
  workspace_id: string;
  campaign_id: string;
  channel: string;
  starts: number;
}

const campaignOf = (b: LeasedBatch) => ({ id: Number(b.campaign_id), workspaceId: Number(b.workspace_id) });

/** Locks a batch still leased by `owner`; undefined when the lease was lost. */
async function lockLeasedBatch(tx: Db, batchId: number, owner: string): Promise<LeasedBatch | undefined> {
  const [batch] = await rows<LeasedBatch>(
    tx,
    sql`SELECT id::text, workspace_id::text, campaign_id::text, channel, starts FROM batches
        WHERE id = ${batchId} AND state = 'leased' AND lease_owner = ${owner} FOR UPDATE`,
  );
  return batch;
}

async function mustLockLeasedBatch(tx: Db, batchId: number, owner: string): Promise<LeasedBatch> {
  const batch = await lockLeasedBatch(tx, batchId, owner);
  if (!batch) throw new QunfaError('LEASE_LOST', `batch ${batchId} is no longer leased by ${owner}`);
  return batch;
}

/** Cuts retried deliveries into new batches, by channel, account and due time, in result order. */
async function insertFollowUps(
  tx: Db,
  batch: LeasedBatch,
  retries: DeliveryResult[],
  /** The settlement's time (ISO), the new batches' created_at. */
  settledAt: string,
): Promise<{ refs: BatchRef[]; batchOf: Map<string, number> }> {
  const groups = new Map<string, DeliveryResult[]>();
  for (const r of retries) {
    const key = `${r.retry!.channel}\u0000${r.retry!.account ?? ''}\u0000${r.retry!.at.toISOString()}\u0000${r.retry!.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const refs: BatchRef[] = [];
  const batchOf = new Map<string, number>();
  if (groups.size === 0) return { refs, batchOf };
  const [{ next } = { next: 0 }] = await rows<{ next: number }>(
    tx,
    sql`SELECT coalesce(max(seq) + 1, 0)::int AS next FROM batches WHERE campaign_id = ${Number(batch.campaign_id)}`,
  );
  let seq = next;
  for (const group of groups.values()) {
    const { channel, account, at, batchSize, reason } = group[0]!.retry!;
    for (let i = 0; i < group.length; i += batchSize) {
      const chunk = group.slice(i, i + batchSize);
      const [inserted] = await rows<{ id: string; step: number }>(
        tx,
        sql`INSERT INTO batches AS nb (workspace_id, campaign_id, channel, account, seq, state, due_at, size, wait_reason, created_at, updated_at)
            VALUES (${Number(batch.workspace_id)}::bigint, ${Number(batch.campaign_id)}::bigint, ${channel}::text, ${account}::text, ${seq++}::int,
                    'queued', ${at.toISOString()}::timestamptz, ${chunk.length}::int, ${reason ?? null}::text,
                    ${settledAt}::timestamptz, ${settledAt}::timestamptz)
            RETURNING nb.id::text, ${batchStepSql('nb')} AS step`,
      );
      const { id, step } = inserted!;
      for (const r of chunk) batchOf.set(r.deliveryId, Number(id));
      refs.push({ id, workspaceId: batch.workspace_id, campaignId: batch.campaign_id, dueAt: at, step });
    }
  }
  return { refs, batchOf };
}

/**
 * Writes a batch's outcome in one transaction: every delivery's new state, its attempt,
 * follow-up batches for retries, the counters, the batch's state and an audit entry.
 */
export async function settleBatch(db: Db, s: BatchSettlement): Promise<SettleResult> {
  const batchId = Number(s.batchId);
  const at = s.at.toISOString();
  const settled = await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const ids = s.results.map((r) => Number(r.deliveryId));
    // Sent together (postgres.js pipelines them), the batch's lock first; when the lease was
    // lost the transaction rolls back and the rows read are released unused.
    const [, batch, old] = await Promise.all([
      // Every statement of a settlement reads by key. Right after a plan's insert the table's
      // statistics are stale and a batch of 1,000 ids looks cheaper to find by a scan of every
      // delivery (76-150 ms a batch at 100k deliveries, growing with the table) than by 1,000
      // index probes (a few ms): this transaction only is told to take the index.
      tx.execute(sql`SET LOCAL enable_seqscan = off`),
      mustLockLeasedBatch(tx, batchId, s.leaseOwner),
      rows<OldDelivery>(
        tx,
        sql`SELECT id::text, state, failure_class, channel, attempts::int AS attempts FROM deliveries
            WHERE batch_id = ${batchId} AND id = ANY(${intArrayLiteral(ids)}::bigint[])
            FOR UPDATE`,
      ),
    ]);
    const before = new Map(old.map((d) => [d.id, d]));
    // Only retries queue work again: then the campaign must not have been cancelled meanwhile
    // (if it was, what was sent stands and the retries end).
    const cancelled =
      s.results.some((r) => r.retry) && (await lockCampaignOfBatch(tx, batchId)) === 'cancelled';
    const results = s.results
      .filter((r) => before.has(r.deliveryId))
      .map((r) => (cancelled ? endRetry(r) : r));
    const { refs, batchOf } = await insertFollowUps(
      tx,
      batch,
      results.filter((r) => r.retry),
      at,
    );

    const delta = new CounterDelta();
    const u = newColumns(
      ['id', 'attempts', 'batch_id'],
      ['state', 'failure_class', 'last_error', 'suppression_reason', 'provider_message_id', 'channel'],
    );
    const a = newColumns(
      ['delivery_id', 'attempt'],
      ['channel', 'account', 'status', 'provider_message_id', 'failure_class', 'error', 'note'],
    );
    for (const r of results) {
      const prev = before.get(r.deliveryId)!;
      const movesChannel = r.retry !== undefined && r.retry.channel !== prev.channel;
      const attemptNo = prev.attempts + (r.attempt ? 1 : 0);
      // A queued delivery of a batch we hold was submitted by a start of it (the claim counted it so).
      delta.move(
        { state: prev.state === 'queued' ? 'submitted' : prev.state, failureClass: prev.failure_class },
        { state: r.state, failureClass: r.failureClass ?? null },
      );
      u.ints.id.push(Number(r.deliveryId));
      u.ints.attempts.push(movesChannel ? 0 : attemptNo);
      u.ints.batch_id.push(batchOf.get(r.deliveryId) ?? null);
      u.texts.state.push(r.state);
      u.texts.failure_class.push(r.failureClass ?? null);
      u.texts.last_error.push(r.error ?? null);
      u.texts.suppression_reason.push(r.suppressionReason ?? null);
      u.texts.provider_message_id.push(r.attempt?.providerMessageId ?? null);
      u.texts.channel.push(r.retry?.channel ?? null);
      if (r.attempt) {
        a.ints.delivery_id.push(Number(r.deliveryId));
        a.ints.attempt.push(attemptNo);
        a.texts.channel.push(r.attempt.channel);
        a.texts.account.push(r.attempt.account);
        a.texts.status.push(r.attempt.status);
        a.texts.provider_message_id.push(r.attempt.providerMessageId);
        a.texts.failure_class.push(r.attempt.failureClass);
        a.texts.error.push(r.attempt.error);
        a.texts.note.push(r.attempt.note ?? null);
      }
    }
    const byState: Record<string, number> = {};
    for (const r of results) byState[r.state] = (byState[r.state] ?? 0) + 1;
    const details = {
      campaignId: batch.campaign_id,
      channel: batch.channel,
      starts: batch.starts,
      byState,
      retries: refs.length,
    };
    const updatedIds = u.int('id');
    // One statement: every delivery's new state, its attempt, the audit entry and the batch's state.
    await preparedRows(
      tx,
      sql`
      WITH updated AS (
        UPDATE deliveries d SET
          state = u.state, failure_class = u.failure_class, last_error = u.last_error,
          suppression_reason = coalesce(u.suppression_reason, d.suppression_reason),
          provider_message_id = coalesce(u.provider_message_id, d.provider_message_id),
          attempts = u.attempts, channel = coalesce(u.channel, d.channel),
          batch_id = coalesce(u.batch_id, d.batch_id), claimed_start = NULL, updated_at = ${at}::timestamptz
        FROM unnest(${updatedIds}::bigint[], ${u.text('state')}::text[], ${u.text('failure_class')}::text[],
                    ${u.text('last_error')}::text[], ${u.text('suppression_reason')}::text[],
                    ${u.text('provider_message_id')}::text[], ${u.int('attempts')}::int[],
                    ${u.text('channel')}::text[], ${u.int('batch_id')}::bigint[])
          AS u(id, state, failure_class, last_error, suppression_reason, provider_message_id, attempts, channel, batch_id)
        -- The ids again, as an index condition: joined on u.id alone, the planner may hash-join
        -- the batch against every delivery of the database.
        WHERE d.id = u.id AND d.id = ANY(${updatedIds}::bigint[])
        RETURNING 1
      ), attempted AS (
        INSERT INTO delivery_attempts (workspace_id, campaign_id, delivery_id, batch_id, attempt, channel, account,
                                       status, provider_message_id, failure_class, error, note, at)
        SELECT ${Number(batch.workspace_id)}::bigint, ${Number(batch.campaign_id)}::bigint, a.delivery_id, ${batchId}::bigint, a.attempt,
               a.channel, a.account, a.status, a.provider_message_id, a.failure_class, a.error, a.note, ${at}::timestamptz
        FROM unnest(${a.int('delivery_id')}::bigint[], ${a.int('attempt')}::int[], ${a.text('channel')}::text[],
                    ${a.text('account')}::text[], ${a.text('status')}::text[], ${a.text('provider_message_id')}::text[],
                    ${a.text('failure_class')}::text[], ${a.text('error')}::text[], ${a.text('note')}::text[])
          AS a(delivery_id, attempt, channel, account, status, provider_message_id, failure_class, error, note)
        RETURNING 1
      ), audited AS (
        INSERT INTO audit_log (workspace_id, actor_kind, actor_id, action, subject_type, subject_id, details, at)
        VALUES (${Number(batch.workspace_id)}::bigint, 'worker', ${s.leaseOwner}::text, ${`batch.${s.batchState}`}::text,
                'batch', ${s.batchId}::text, ${JSON.stringify(details)}::jsonb, ${at}::timestamptz)
        RETURNING 1
      )
      UPDATE batches SET state = ${s.batchState}::text, lease_owner = NULL, lease_until = NULL, updated_at = ${at}::timestamptz
      WHERE id = ${batchId}`,
    );
    // Receipts, opens and clicks that beat this settlement and were kept (early-receipts-sql.ts).
    const early = await applyEarlyOfSettled(tx, {
      deliveryIds: u.ints.id as number[],
      providerMessageIds: u.texts.provider_message_id.filter((p): p is string => p !== null),
    });
    // Last, so the shard's row lock is held for as short a time as possible; with early receipts
    // in one sorted upsert with theirs.
    if (early.length === 0) await delta.apply(tx, campaignOf(batch), shardOf(batchId));
    else
      await applyCounterDeltas(tx, [
        { campaign: campaignOf(batch), shard: shardOf(batchId), delta },
        ...early,
      ]);
    return { followUps: refs, campaignId: Number(batch.campaign_id) };
  });
  // Read after commit: summing the shards takes no lock.
  return { counters: await readCounters(db, settled.campaignId), followUps: settled.followUps };
}

/** Gives a leased batch back untouched: queued at `dueAt`, this start uncounted, its deliveries as it found them. */
export function releaseBatch(
  db: Db,
  input: { batchId: string; owner: string; dueAt: Date; reason?: string },
): Promise<void> {
  const batchId = Number(input.batchId);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const batch = await lockLeasedBatch(tx, batchId, input.owner);
    if (!batch) return;
    // The first start counted the batch's queued deliveries as submitted; giving it back uncounts them.
    // A later start counted nothing: what an earlier, dead start submitted stays submitted.
    const [{ n: reverted } = { n: 0 }] =
      batch.starts === 1
        ? await rows<{ n: number }>(
            tx,
            sql`SELECT count(*)::int AS n FROM deliveries WHERE batch_id = ${batchId} AND state = 'queued'`,
          )
        : [];
    await tx.execute(
      sql`UPDATE batches SET state = 'queued', due_at = ${input.dueAt.toISOString()}::timestamptz,
                 starts = starts - 1, lease_owner = NULL, lease_until = NULL,
                 wait_reason = ${input.reason ?? null}::text WHERE id = ${batchId}`,
    );
    if (reverted > 0) {
      const delta = new CounterDelta();
      delta.add({ state: 'submitted' }, -reverted);
      delta.add({ state: 'queued' }, reverted);
      await delta.apply(tx, campaignOf(batch), shardOf(batchId));
    }
    // Given back after its campaign was cancelled: it ends with the campaign's other unsent work.
    if ((await lockCampaignOfBatch(tx, batchId)) === 'cancelled') {
      await cancelUnsent(tx, campaignOf(batch), new Date());
    }
  });
}
