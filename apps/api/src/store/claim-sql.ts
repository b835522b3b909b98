import type { ClaimedBatch, ClaimedRecipient, ContactIdentity, DeliveryState } from '@qunfa/core';
import { eq, sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { batches } from '../db/schema/index.js';
import { toBatch } from './batch-mapper.js';
import { loadCampaign } from './campaign-mapper.js';
import { CounterDelta, shardOf } from './counters-sql.js';

interface RecipientRow {
  delivery_id: string;
  contact_id: string;
  variant_id: string;
  attempts: number;
  state: DeliveryState;
  name: string | null;
  attributes: Record<string, unknown> | string;
  identities: ContactIdentity[] | string;
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/**
 * Leases a due (or abandoned) batch of a running campaign and marks its queued deliveries
 * `submitted`, remembering which start did so, all in one transaction.
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
    const claimed = await rows<{ id: string }>(
      tx,
      sql`UPDATE batches b SET state = 'leased', lease_owner = ${input.owner}, lease_until = ${until}::timestamptz,
                 starts = b.starts + 1, updated_at = ${now}::timestamptz
          FROM campaigns c
          WHERE b.id = ${id} AND c.id = b.campaign_id AND c.state = 'running'
            AND ((b.state = 'queued' AND b.due_at <= ${now}::timestamptz)
              OR (b.state = 'leased' AND b.lease_until < ${now}::timestamptz))
          RETURNING b.id::text`,
    );
    if (claimed.length === 0) return undefined;
    const [batchRow] = await tx.select().from(batches).where(eq(batches.id, id));
    const batch = toBatch(batchRow!);
    const campaign = await loadCampaign(tx, Number(batch.campaignId));
    const recipientRows = await rows<RecipientRow>(
      tx,
      sql`SELECT d.id::text AS delivery_id, d.contact_id::text AS contact_id, d.variant_id::text AS variant_id,
                 d.attempts::int AS attempts, d.state, c.name, c.attributes,
                 coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.id)
                           FROM contact_identities i WHERE i.contact_id = d.contact_id), '[]'::json) AS identities
          FROM deliveries d JOIN contacts c ON c.id = d.contact_id
          WHERE d.batch_id = ${id} AND d.state IN ('queued', 'submitted')
          ORDER BY d.id`,
    );
    const recipients: ClaimedRecipient[] = recipientRows.map((r) => ({
      deliveryId: r.delivery_id,
      contactId: r.contact_id,
      variantId: r.variant_id,
      attempts: r.attempts,
      previousState: r.state,
      identities: parsed(r.identities),
      name: r.name,
      attributes: parsed(r.attributes) ?? {},
    }));
    const moved = recipients.filter((r) => r.previousState === 'queued').length;
    if (moved > 0) {
      await tx.execute(
        sql`UPDATE deliveries SET state = 'submitted', claimed_start = ${batch.starts}, updated_at = ${now}::timestamptz
            WHERE batch_id = ${id} AND state = 'queued'`,
      );
      const delta = new CounterDelta();
      delta.add({ state: 'queued' }, -moved);
      delta.add({ state: 'submitted' }, moved);
      await delta.apply(
        tx,
        { id: Number(batch.campaignId), workspaceId: Number(batch.workspaceId) },
        shardOf(batch.id),
      );
    }
    return { batch, campaign: campaign!, recipients };
  });
}
