import {
  type DeliveryState,
  type EarlyReceiptRetry,
  type EarlyReceiptsRetried,
  earlyReceiptKey,
  type ReceiptEvent,
  type ReceiptsApplied,
  statesSettlingWindow,
} from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import { applyClicks, onlyClicks } from './clicks-sql.js';
import { applyCounterDeltas } from './counters-sql.js';
import { intArrayLiteral, textArrayLiteral } from './pg-array.js';
import { applyMatchedIn, countOutcomes, type Outcome, type ShardDelta } from './receipts-sql.js';

/*
 * Early receipts (`ReceiptStore`) in the table `early_receipts`, under READ COMMITTED.
 *
 * A receipt's transaction R matches deliveries by (channel, provider message id), or by delivery id
 * for an open or click; a settlement S writes the provider message ids (and moves submitted rows to
 * sent). Neither sees the other's uncommitted rows: R's match does not find (nor wait for) a row
 * whose committed version has no provider id yet, and S's read of early receipts does not see R's
 * uncommitted insert. So:
 *  a. S committed before R's match statement: R finds the delivery and applies the receipt.
 *  b. R committed before S's read of early receipts (`applyEarlyOfSettled`, after S's update of
 *     its deliveries): S applies the kept receipt in its own transaction.
 *  c. Otherwise (R's match before S's commit, R's commit after S's read) both commit, and the
 *     delivery is `sent` with a kept receipt for it — the race that sent a second channel. The
 *     next `retryEarlyReceipts` (any process's, every poll interval) applies it, and until then
 *     the escalation sweep does not move a delivery that has a kept receipt settling its window
 *     (`earlySettlesWindow`). That sweep's statement sees every kept receipt committed before it
 *     started; a kept receipt is deleted only in the transaction that applies it to the delivery
 *     (or, unknown, at its expiry), so the sweep sees the kept row or the delivery moved on,
 *     never neither: a row it waits to lock (FOR UPDATE) is rechecked as committed, with the
 *     state filter. What is left is R still uncommitted when the sweep runs — a receipt counts
 *     from its commit, as one for a settled delivery does (it would wait on the sweep's row lock).
 * Locks: S holds its batch's deliveries and takes kept rows with SKIP LOCKED (a retry holding one
 * is applying it, and waits for no delivery S holds: its match cannot see S's provider ids); a
 * retry locks kept rows, then deliveries; R locks deliveries, then inserts. The sweep reads kept
 * rows without locking them. Counter shards are added last, in one sorted upsert.
 */

const numeric = (id: string) => (/^\d{1,15}$/.test(id) ? Number(id) : undefined);

interface KeptRow {
  id: string;
  event: ReceiptEvent & { at: string };
  expired: boolean;
}

const eventOf = (r: KeptRow): ReceiptEvent => ({ ...r.event, at: new Date(r.event.at) });

/**
 * Keeps events as early receipts until `until`, each once; returns the indexes of the events newly
 * kept (of several events with the same key in `events`, the first).
 */
async function keepEarly(tx: Db, events: ReceiptEvent[], until: Date): Promise<number[]> {
  // A delivery id that is not one of ours can never be settled: not kept.
  const records = events.flatMap((e, i) => {
    const byDelivery = 'deliveryId' in e;
    const deliveryId = byDelivery ? numeric(e.deliveryId) : null;
    if (deliveryId === undefined) return [];
    return [
      {
        channel: byDelivery ? null : e.channel,
        provider_message_id: byDelivery ? null : e.providerMessageId,
        delivery_id: deliveryId,
        state: e.state,
        dedupe_key: earlyReceiptKey(e),
        event: e,
        i,
      },
    ];
  });
  if (records.length === 0) return [];
  const kept = await preparedRows<{
    channel: string | null;
    provider_message_id: string | null;
    delivery_id: string | null;
    dedupe_key: string;
  }>(
    tx,
    sql`INSERT INTO early_receipts (channel, provider_message_id, delivery_id, state, dedupe_key, event, keep_until)
        SELECT channel, provider_message_id, delivery_id, state, dedupe_key, event, ${until.toISOString()}::timestamptz
        FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS r(
          channel text, provider_message_id text, delivery_id bigint, state text, dedupe_key text, event jsonb)
        ON CONFLICT DO NOTHING
        RETURNING channel, provider_message_id, delivery_id::text, dedupe_key`,
  );
  // Matched back by the unique key (early_receipts_once) the rows were kept under.
  const keyOf = (r: {
    channel: string | null;
    provider_message_id: string | null;
    delivery_id: string | number | null;
    dedupe_key: string;
  }) => JSON.stringify([r.channel, r.provider_message_id, r.delivery_id?.toString() ?? null, r.dedupe_key]);
  const newly = new Set(kept.map(keyOf));
  const at: number[] = [];
  for (const r of records) {
    if (newly.delete(keyOf(r))) at.push(r.i);
  }
  return at;
}

/** `Store.applyReceipts`: the matched events applied and the unknown kept, in one transaction. */
export async function applyReceipts(
  db: Db,
  events: ReceiptEvent[],
  keepUntil: Date | undefined,
): Promise<ReceiptsApplied> {
  const [result] = await applyReceiptGroups(db, [events], keepUntil);
  return result!;
}

/**
 * `Store.applyReceiptGroups` (and `applyReceipts`, one group) in one transaction whatever the
 * number of groups: the groups' events are matched and decided together, as one call's would be
 * (an event in two groups counts once), the unknown kept until `keepUntil`; each group's result
 * counts its own events. Groups of tracked clicks only take one statement (`applyClicks`).
 */
export function applyReceiptGroups(
  db: Db,
  groups: ReceiptEvent[][],
  keepUntil: Date | undefined,
): Promise<ReceiptsApplied[]> {
  const events = groups.flat();
  if (keepUntil && events.length > 0 && onlyClicks(events)) {
    return applyClicks(db, events, keepUntil).then(({ outcome, campaignAt, keptAt }) =>
      resultsOf(groups, events, outcome, campaignAt, keptAt),
    );
  }
  return applyReceiptGroupsInTransaction(db, groups, keepUntil);
}

/** `applyReceiptGroups` for any events: match, decide in JavaScript, write, keep the unknown. */
export function applyReceiptGroupsInTransaction(
  db: Db,
  groups: ReceiptEvent[][],
  keepUntil: Date | undefined,
): Promise<ReceiptsApplied[]> {
  const events = groups.flat();
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const { outcome, campaignAt, unknownAt, deltas } = await applyMatchedIn(tx, events);
    const keptAt = keepUntil
      ? await keepEarly(
          tx,
          unknownAt.map((i) => events[i]!),
          keepUntil,
        )
      : [];
    // Last, so the shards' row locks are held for as short a time as possible.
    await applyCounterDeltas(tx, deltas);
    return resultsOf(
      groups,
      events,
      outcome,
      campaignAt,
      keptAt.map((k) => unknownAt[k]!),
    );
  });
}

/** Each group's `ReceiptsApplied`, from the outcome of every event; `keptAt` indexes the events newly kept. */
function resultsOf(
  groups: ReceiptEvent[][],
  events: ReceiptEvent[],
  outcome: Outcome[],
  campaignAt: ({ workspaceId: string; campaignId: string } | undefined)[],
  keptAt: number[],
): ReceiptsApplied[] {
  const groupOf = groups.flatMap((g, n) => g.map(() => n));
  const kept = groups.map(() => 0);
  for (const i of keptAt) kept[groupOf[i]!]!++;
  const at = groups.map((): number[] => []);
  const campaigns = groups.map(() => new Map<string, { workspaceId: string; campaignId: string }>());
  for (const [i, n] of groupOf.entries()) {
    at[n]!.push(i);
    const ref = campaignAt[i];
    if (ref) campaigns[n]!.set(ref.campaignId, ref);
  }
  return groups.map((_, n) => ({
    ...countOutcomes(events, outcome, campaigns[n]!.values(), at[n]),
    kept: kept[n]!,
  }));
}

/** Applies kept rows in `tx`; deletes those that found their delivery. Returns the rows still unknown. */
async function applyKept(tx: Db, kept: KeptRow[]) {
  const { result, unknownAt, deltas } = await applyMatchedIn(tx, kept.map(eventOf));
  const unknown = new Set(unknownAt.map((i) => kept[i]!));
  const done = kept.filter((r) => !unknown.has(r)).map((r) => Number(r.id));
  if (done.length > 0) {
    await tx.execute(sql`DELETE FROM early_receipts WHERE id = ANY(${intArrayLiteral(done)}::bigint[])`);
  }
  return { result, unknown: [...unknown], deltas };
}

/**
 * Of expired kept rows, those no unsettled send may still claim (`ReceiptStore.retryEarlyReceipts`):
 * no batch on their channel started and not settled (killed mid-send and not run again yet, or
 * waiting for a retry); for an open or click, its delivery settled. Asked only when rows expire.
 */
async function withoutPendingOwner(tx: Db, expired: KeptRow[]): Promise<KeptRow[]> {
  if (expired.length === 0) return [];
  const channels = [...new Set(expired.flatMap((r) => ('channel' in r.event ? [r.event.channel] : [])))];
  const deliveryIds = expired.flatMap((r) =>
    'deliveryId' in r.event ? (numeric(r.event.deliveryId) ?? []) : [],
  );
  const [busy, unsettled] = await Promise.all([
    channels.length === 0
      ? []
      : rows<{ channel: string }>(
          tx,
          sql`SELECT DISTINCT channel FROM batches
              WHERE state IN ('queued', 'leased') AND starts > 0 AND channel = ANY(${textArrayLiteral(channels)}::text[])`,
        ),
    deliveryIds.length === 0
      ? []
      : rows<{ id: string }>(
          tx,
          sql`SELECT id::text FROM deliveries
              WHERE id = ANY(${intArrayLiteral(deliveryIds)}::bigint[]) AND state IN ('queued', 'submitted')`,
        ),
  ]);
  const busyChannels = new Set(busy.map((r) => r.channel));
  const pendingDeliveries = new Set(unsettled.map((r) => r.id));
  return expired.filter((r) =>
    'deliveryId' in r.event
      ? !pendingDeliveries.has(String(numeric(r.event.deliveryId)))
      : !busyChannels.has(r.event.channel),
  );
}

/** `Store.retryEarlyReceipts` in one transaction. */
export function retryEarlyReceipts(db: Db, retry: EarlyReceiptRetry): Promise<EarlyReceiptsRetried> {
  const now = retry.now.toISOString();
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const kept = await rows<KeptRow>(
      tx,
      sql`SELECT id::text, event, keep_until <= ${now}::timestamptz AS expired FROM early_receipts
          ORDER BY id LIMIT ${retry.limit} FOR UPDATE SKIP LOCKED`,
    );
    const { result, unknown, deltas } =
      kept.length === 0
        ? {
            result: { applied: 0, recorded: 0, ignored: 0, unknown: [], campaigns: [] },
            unknown: [],
            deltas: [],
          }
        : await applyKept(tx, kept);
    const expired = (
      await withoutPendingOwner(
        tx,
        unknown.filter((r) => r.expired),
      )
    ).map((r) => Number(r.id));
    if (expired.length > 0) {
      await tx.execute(sql`DELETE FROM early_receipts WHERE id = ANY(${intArrayLiteral(expired)}::bigint[])`);
    }
    const overCap = await rows<{ id: string }>(
      tx,
      sql`DELETE FROM early_receipts WHERE id IN (
            SELECT id FROM early_receipts ORDER BY id DESC OFFSET ${retry.cap} FOR UPDATE SKIP LOCKED)
          RETURNING id::text`,
    );
    await applyCounterDeltas(tx, deltas);
    return { ...result, kept: 0, expired: expired.length, overCap: overCap.length };
  });
}

/**
 * In a settlement's transaction, after its deliveries are written: applies the kept receipts of
 * those deliveries (by delivery id, or by the provider ids it has just written). Returns the
 * receipts' counter deltas, for the settlement to add with its own.
 */
export async function applyEarlyOfSettled(
  tx: Db,
  settled: { deliveryIds: number[]; providerMessageIds: string[] },
): Promise<ShardDelta[]> {
  const kept = await rows<KeptRow>(
    tx,
    sql`SELECT id::text, event, false AS expired FROM early_receipts
        WHERE delivery_id = ANY(${intArrayLiteral(settled.deliveryIds)}::bigint[])
           OR provider_message_id = ANY(${textArrayLiteral(settled.providerMessageIds)}::text[])
        ORDER BY id FOR UPDATE SKIP LOCKED`,
  );
  if (kept.length === 0) return [];
  return (await applyKept(tx, kept)).deltas;
}

/**
 * For the escalation sweep (`d` the delivery): whether a kept receipt says it reached the state
 * the window waits for. Two uncorrelated IN lists, each hashed once per statement.
 */
export function earlySettlesWindow(unless: 'delivered' | 'read'): SQL {
  const states = JSON.stringify(statesSettlingWindow(unless) satisfies DeliveryState[]);
  const settling = sql`state = ANY(ARRAY(SELECT jsonb_array_elements_text(${states}::jsonb)))`;
  return sql`coalesce(
    d.id IN (SELECT delivery_id FROM early_receipts WHERE delivery_id IS NOT NULL AND ${settling})
    OR (d.channel, d.provider_message_id) IN (
      SELECT channel, provider_message_id FROM early_receipts WHERE provider_message_id IS NOT NULL AND ${settling}),
    false)`;
}
