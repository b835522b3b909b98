import type { ClaimedBatch, ClaimedRecipient, ContactIdentity, DeliveryState } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import { batches } from '../db/schema/index.js';
import { toBatch } from './batch-mapper.js';
import { loadCampaign } from './campaign-mapper.js';
import { cancelUnsent } from './cancel-sql.js';
import { CounterDelta, shardOf } from './counters-sql.js';

interface RecipientRow {
  delivery_id: string;
  contact_id: string;
  variant_id: string;
  attempts: number;
  state: DeliveryState;
  name: string | null;
  attributes: Record<string, unknown> | string | null;
  kinds: ContactIdentity['kind'][] | null;
  identity_values: string[] | null;
  ended_on: string[] | null;
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/**
 * Leases a due (or abandoned) batch of a running campaign, in one transaction. The delivery
 * rows are not rewritten: a queued delivery of a batch claimed before (`starts` > 1 once this
 * claim counted itself) was submitted by that earlier start, and is reported so. Only the
 * counters move, on the batch's first start, from queued to submitted.
 */
export function claimBatch(
  db: Db,
  input: { batchId: string; owner: string; now: Date; leaseMs: number },
): Promise<ClaimedBatch | undefined> {
  const id = Number(input.batchId);
  if (!Number.isSafeInteger(id)) return Promise.resolve(undefined);
  const now = input.now.toISOString();
  const until = new Date(input.now.getTime() + input.leaseMs).toISOString();
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    // No parallel plan for a batch's reads: without fresh statistics (a campaign just planned,
    // autovacuum behind or off) the planner guesses 0.5 % of `deliveries` a batch — 50,000 rows at
    // 10M — and starts two parallel workers (a process each, with cold caches) for the recipients
    // read of every batch. bench/pipeline at 10M: that read was the most frequent statement in
    // the server, waiting on its workers; without them, 6,500–8,500 recipients/s against
    // 5,000–7,100 (README there). Sent with the lease, no round trip.
    const [, [batchRow]] = await Promise.all([
      tx.execute(sql`SET LOCAL max_parallel_workers_per_gather = 0`),
      tx
        .update(batches)
        .set({
          state: 'leased',
          leaseOwner: input.owner,
          leaseUntil: sql`${until}::timestamptz`,
          starts: sql`${batches.starts} + 1`,
          updatedAt: sql`${now}::timestamptz`,
        })
        .where(
          sql`${batches.id} = ${id}
          AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = ${batches.campaignId} AND c.state = 'running')
          AND ((${batches.state} = 'queued' AND ${batches.dueAt} <= ${now}::timestamptz)
            OR (${batches.state} = 'leased' AND ${batches.leaseUntil} < ${now}::timestamptz))`,
        )
        .returning(),
    ]);
    if (!batchRow) {
      await endAbandonedOfCancelled(tx, id, input.now);
      return undefined;
    }
    const batch = toBatch(batchRow);
    // Lookups by key per recipient, fenced (OFFSET 0, aggregate) so that the planner cannot turn
    // them into hash joins over every contact of the database: 1,000 index probes take ~10 ms,
    // a scan of 200k contacts ~50-200 ms and grows with the database. A contact deleted under
    // its delivery still comes back, without identities.
    // Sent together: a driver that pipelines (postgres.js) saves a round trip.
    const [campaign, recipientRows] = await Promise.all([
      loadCampaign(tx, Number(batch.campaignId)),
      preparedRows<RecipientRow>(
        tx,
        sql`SELECT d.id::text AS delivery_id, d.contact_id::text AS contact_id, d.variant_id::text AS variant_id,
                 d.attempts::int AS attempts, d.state, c.name, c.attributes, i.kinds, i.identity_values,
                 r.ended_on
          FROM deliveries d
          LEFT JOIN LATERAL (SELECT c.name, c.attributes FROM contacts c WHERE c.id = d.contact_id OFFSET 0) c ON TRUE
          LEFT JOIN LATERAL (SELECT array_agg(i.kind ORDER BY i.id) AS kinds, array_agg(i.value ORDER BY i.id) AS identity_values
                             FROM contact_identities i WHERE i.contact_id = d.contact_id) i ON TRUE
          -- Channels whose every relation to the contact has ended: no retry or escalation goes there.
          LEFT JOIN LATERAL (SELECT array_agg(e.channel ORDER BY e.channel) AS ended_on
                             FROM (SELECT cr.channel FROM contact_reach cr WHERE cr.contact_id = d.contact_id
                                   GROUP BY cr.channel HAVING bool_and(cr.removed_by IS NOT NULL)) e) r ON TRUE
          WHERE d.batch_id = ${id} AND d.state IN ('queued', 'submitted')
          ORDER BY d.id`,
      ),
    ]);
    const resumed = batch.starts > 1;
    let fresh = 0;
    const recipients: ClaimedRecipient[] = recipientRows.map((r) => {
      const kinds = r.kinds ?? [];
      const values = r.identity_values ?? [];
      if (r.state === 'queued' && !resumed) fresh++;
      return {
        deliveryId: r.delivery_id,
        contactId: r.contact_id,
        variantId: r.variant_id,
        attempts: r.attempts,
        previousState: r.state === 'queued' && resumed ? 'submitted' : r.state,
        identities: kinds.map((kind, i) => ({ kind, value: values[i]! })),
        name: r.name,
        attributes: (r.attributes === null ? null : parsed(r.attributes)) ?? {},
        ...(r.ended_on && r.ended_on.length > 0 ? { endedOn: r.ended_on } : {}),
      };
    });
    if (fresh > 0) {
      const delta = new CounterDelta();
      delta.add({ state: 'queued' }, -fresh);
      delta.add({ state: 'submitted' }, fresh);
      await delta.apply(
        tx,
        { id: Number(batch.campaignId), workspaceId: Number(batch.workspaceId) },
        shardOf(batch.id),
      );
    }
    return { batch, campaign: campaign!, recipients };
  });
}

/**
 * A batch whose worker died while its campaign was cancelled: nobody will settle it, and a
 * claim refuses a campaign that is not running, so the lease is taken back here and the batch
 * ends with the campaign's other unsent work (what the dead start may have sent, `uncertain`).
 */
async function endAbandonedOfCancelled(tx: Db, batchId: number, now: Date): Promise<void> {
  const at = now.toISOString();
  const [taken] = await rows<{ campaign_id: string; workspace_id: string }>(
    tx,
    sql`UPDATE batches b SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ${at}::timestamptz
        FROM campaigns c
        WHERE b.id = ${batchId} AND c.id = b.campaign_id AND c.state = 'cancelled'
          AND b.state = 'leased' AND b.lease_until < ${at}::timestamptz
        RETURNING b.campaign_id::text AS campaign_id, b.workspace_id::text AS workspace_id`,
  );
  if (taken) {
    await cancelUnsent(tx, { id: Number(taken.campaign_id), workspaceId: Number(taken.workspace_id) }, now);
  }
}
