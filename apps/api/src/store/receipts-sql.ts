import {
  type DeliveryState,
  decideReceipts,
  type ReceiptEvent,
  type ReceiptsApplied,
  receiptKey,
  unsettled,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../db/database.js';
import { CounterDelta, shardOf } from './counters-sql.js';

interface Matched {
  id: string;
  workspace_id: string;
  campaign_id: string;
  state: DeliveryState;
  channel: string | null;
  provider_message_id: string | null;
}

const numeric = (id: string) => (/^\d{1,15}$/.test(id) ? Number(id) : undefined);
const refOf = (e: ReceiptEvent) => ('deliveryId' in e ? e.deliveryId : e.providerMessageId);
const pair = (a: string | null, b: string | null) => `${a}\u0000${b}`;

/** The payload of an event row: where it came from and what the provider said, nothing personal. */
function payloadOf(e: ReceiptEvent): Record<string, unknown> {
  return {
    source: e.source,
    ...(e.link === undefined ? {} : { link: e.link }),
    ...(e.failure === undefined ? {} : { failure: e.failure }),
    ...(e.error === undefined ? {} : { error: e.error }),
  };
}

/** Counter changes of one campaign's shard, added last in the transaction (`applyCounterDeltas`). */
export type ShardDelta = {
  campaign: { id: number; workspaceId: number };
  shard: number;
  delta: CounterDelta;
};

/** What became of one event ('moved': applied, its row written by another transaction first). */
export type Outcome = 'unknown' | 'ignored' | 'recorded' | 'applied' | 'moved';

/** What `applyMatchedIn` did; `unknownAt` indexes the events that found no settled delivery. */
export interface MatchedIn {
  result: Omit<ReceiptsApplied, 'kept'>;
  unknownAt: number[];
  /** Per event, in order: what became of it, and the campaign whose counters it moved or recorded to. */
  outcome: Outcome[];
  campaignAt: ({ workspaceId: string; campaignId: string } | undefined)[];
  /** Not yet added: the caller adds them last, with any of its own, in one sorted upsert. */
  deltas: ShardDelta[];
}

/**
 * The events that find their settled delivery, applied in `tx` in four statements whatever their
 * number, three round trips: lock the matched deliveries, read which provider events are already
 * recorded, then together update the deliveries, insert the event rows (and mark completed
 * campaigns a failure reached); the counter
 * deltas (one shard per delivery) are returned for the caller to add. `Store.applyReceipts` is this
 * and the keeping of the unknown events (early-receipts-sql.ts).
 */
export async function applyMatchedIn(tx: Db, events: ReceiptEvent[]): Promise<MatchedIn> {
  const byDeliveryId = events.flatMap((e) =>
    'deliveryId' in e && numeric(e.deliveryId) !== undefined ? [numeric(e.deliveryId)!] : [],
  );
  const byProvider = events.flatMap((e) =>
    'deliveryId' in e ? [] : [{ channel: e.channel, pmid: e.providerMessageId }],
  );
  const matched =
    events.length === 0
      ? []
      : await preparedRows<Matched>(
          tx,
          sql`SELECT d.id::text, d.workspace_id::text, d.campaign_id::text, d.state, d.channel, d.provider_message_id
                FROM deliveries d
                -- Filters, not joins, so that a row a concurrent settlement updates is rechecked as it
                -- now is; exact (channel, provider id) pairs are matched below.
                WHERE d.id = ANY(ARRAY(SELECT value::bigint FROM jsonb_array_elements_text(${JSON.stringify(byDeliveryId)}::jsonb)))
                   OR (d.provider_message_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(byProvider.map((p) => p.pmid))}::jsonb)))
                       AND d.channel = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify([...new Set(byProvider.map((p) => p.channel))])}::jsonb))))
                ORDER BY d.id FOR UPDATE OF d`,
        );
  const byId = new Map(matched.map((d) => [d.id, d]));
  const byPmid = new Map(matched.map((d) => [pair(d.channel, d.provider_message_id), d]));
  const find = (e: ReceiptEvent) =>
    'deliveryId' in e ? byId.get(e.deliveryId) : byPmid.get(pair(e.channel, e.providerMessageId));

  const keyed = events.flatMap((e) => {
    const d = find(e);
    const key = receiptKey(e);
    return d && key !== null ? [{ delivery_id: Number(d.id), key }] : [];
  });
  const seen = new Set(
    keyed.length === 0
      ? []
      : (
          await preparedRows<{ delivery_id: string; dedupe_key: string }>(
            tx,
            sql`SELECT delivery_id::text, dedupe_key FROM events
                  WHERE (delivery_id, dedupe_key) IN (
                    SELECT delivery_id, key FROM jsonb_to_recordset(${JSON.stringify(keyed)}::jsonb) AS k(delivery_id bigint, key text))`,
          )
        ).map((r) => pair(r.delivery_id, r.dedupe_key)),
  );

  const outcome = new Array<Outcome>(events.length).fill('ignored');
  const campaignAt = new Array<{ workspaceId: string; campaignId: string } | undefined>(events.length);
  const grouped = new Map<Matched, number[]>();
  for (const [i, e] of events.entries()) {
    const d = find(e);
    // A click or an open by delivery id proves its message went out, and can beat the settlement of
    // its send (SQL leaves a leased batch's rows queued): kept and tried again, as a provider's
    // receipt for an id not yet settled is.
    if (!d || ('deliveryId' in e && unsettled(d.state))) {
      outcome[i] = 'unknown';
      continue;
    }
    const key = receiptKey(e);
    if (key !== null) {
      if (seen.has(pair(d.id, key))) continue;
      seen.add(pair(d.id, key));
    }
    const list = grouped.get(d);
    if (list) list.push(i);
    else grouped.set(d, [i]);
  }

  const updates = [];
  const inserts = [];
  const deltas = new Map<string, ShardDelta>();
  const campaigns = new Map<string, { workspaceId: string; campaignId: string }>();
  const failedIn = new Set<string>();
  for (const [d, indexes] of grouped) {
    const list = indexes.map((i) => events[i]!);
    const decision = decideReceipts(d, list);
    // The events that moved the delivery come first in `record` (see decideReceipts).
    decision.record.forEach((r, n) => {
      outcome[indexes[r]!] = n < decision.applied ? 'applied' : 'recorded';
    });
    for (const i of decision.record) {
      const e = list[i]!;
      inserts.push({
        ord: indexes[i]!,
        workspace_id: Number(d.workspace_id),
        campaign_id: Number(d.campaign_id),
        delivery_id: Number(d.id),
        type: `delivery.${e.state}`,
        dedupe_key: receiptKey(e),
        payload: payloadOf(e),
        at: e.at.toISOString(),
      });
    }
    if (!decision.next) continue;
    const last = Math.max(...decision.record.map((i) => list[i]!.at.getTime()));
    updates.push({
      id: Number(d.id),
      state: decision.next.state,
      failure_class: decision.next.failureClass,
      last_error: decision.next.error,
      at: new Date(last).toISOString(),
    });
    const shard = shardOf(d.id);
    const slot = `${d.campaign_id}/${shard}`;
    const entry = deltas.get(slot) ?? {
      campaign: { id: Number(d.campaign_id), workspaceId: Number(d.workspace_id) },
      shard,
      delta: new CounterDelta(),
    };
    entry.delta.move(
      { state: d.state },
      { state: decision.next.state, failureClass: decision.next.failureClass },
    );
    deltas.set(slot, entry);
    const ref = { workspaceId: d.workspace_id, campaignId: d.campaign_id };
    campaigns.set(d.campaign_id, ref);
    // Each call whose event was recorded here hears of the campaign its delivery's move touched.
    for (const r of decision.record) campaignAt[indexes[r]!] = ref;
    if (decision.next.state === 'failed') failedIn.add(d.campaign_id);
  }

  // The writes are independent of each other: sent together (pipelined, one round trip), run by
  // the server in this order. Marking late failures is in the receipt's own transaction: if the
  // process dies before the escalation that follows, the worker's tick still finds the campaign
  // (Store.campaignsWithLateFailures).
  const [, written] = await Promise.all([
    updates.length === 0
      ? undefined
      : preparedRows(
          tx,
          sql`
        UPDATE deliveries d SET state = u.state, failure_class = u.failure_class,
               last_error = coalesce(u.last_error, d.last_error), updated_at = u.at
        FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(
          id bigint, state text, failure_class text, last_error text, at timestamptz)
        WHERE d.id = u.id`,
        ),
    inserts.length === 0
      ? []
      : preparedRows<{ delivery_id: string; dedupe_key: string | null }>(
          tx,
          sql`INSERT INTO events (workspace_id, campaign_id, delivery_id, type, dedupe_key, payload, at)
            SELECT workspace_id, campaign_id, delivery_id, type, dedupe_key, payload, at
            FROM jsonb_to_recordset(${JSON.stringify(inserts)}::jsonb) AS e(
              workspace_id bigint, campaign_id bigint, delivery_id bigint, type text, dedupe_key text,
              payload jsonb, at timestamptz)
            ON CONFLICT DO NOTHING
            RETURNING delivery_id::text, dedupe_key`,
        ),
    failedIn.size === 0
      ? undefined
      : preparedRows(
          tx,
          sql`INSERT INTO campaign_late_failures (campaign_id, workspace_id)
        SELECT id, workspace_id FROM campaigns
        WHERE id = ANY(ARRAY(SELECT value::bigint FROM jsonb_array_elements_text(${JSON.stringify([...failedIn])}::jsonb)))
          AND state = 'completed' AND channel_mode <> 'all' AND jsonb_array_length(channel_plan) > 1
        ORDER BY id
        ON CONFLICT (campaign_id) DO UPDATE SET marks = campaign_late_failures.marks + 1, marked_at = now()`,
        ),
  ]);
  // A keyed row a concurrent transaction wrote first was not written here (rows without a key
  // never conflict): not counted as recorded.
  const insertedKeys = new Set(written.map((w) => pair(w.delivery_id, w.dedupe_key)));
  for (const row of inserts) {
    if (row.dedupe_key !== null && !insertedKeys.has(pair(String(row.delivery_id), row.dedupe_key)))
      outcome[row.ord] = outcome[row.ord] === 'applied' ? 'moved' : 'ignored';
  }
  const result = countOutcomes(events, outcome, campaigns.values());
  const unknownAt = outcome.flatMap((o, i) => (o === 'unknown' ? [i] : []));
  return { result, unknownAt, outcome, campaignAt, deltas: [...deltas.values()] };
}

/** The counts of `ReceiptsApplied` (but `kept`) for the events given by index. */
export function countOutcomes(
  events: ReceiptEvent[],
  outcome: Outcome[],
  campaigns: Iterable<{ workspaceId: string; campaignId: string }>,
  at: number[] = events.map((_, i) => i),
): Omit<ReceiptsApplied, 'kept'> {
  const result = { applied: 0, recorded: 0, ignored: 0, unknown: [] as string[], campaigns: [...campaigns] };
  for (const i of at) {
    const o = outcome[i]!;
    if (o === 'unknown') result.unknown.push(refOf(events[i]!));
    else if (o === 'ignored') result.ignored++;
    else {
      if (o !== 'moved') result.recorded++;
      if (o !== 'recorded') result.applied++;
    }
  }
  return result;
}
