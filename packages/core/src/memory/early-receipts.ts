import type { Delivery } from '../domain/delivery.js';
import { earlyReceiptKey, receiptSettlesWindow } from '../domain/receipts.js';
import type {
  EarlyReceiptRetry,
  EarlyReceiptsRetried,
  ReceiptEvent,
  ReceiptsApplied,
} from '../ports/receipts.js';
import { applyMatched } from './receipts.js';
import type { EarlyReceiptRow, MemoryTables } from './tables.js';

/** What a kept receipt is for: a delivery id, or a provider's message on a channel. */
const targetOf = (e: ReceiptEvent) =>
  'deliveryId' in e ? `d|${e.deliveryId}` : `p|${e.channel}|${e.providerMessageId}`;
const rowKey = (e: ReceiptEvent) => `${targetOf(e)}|${earlyReceiptKey(e)}`;

/** Keeps unknown events until `until`, each once; returns how many are newly kept. */
function keepEarly(t: MemoryTables, events: ReceiptEvent[], until: Date): number {
  const kept = new Set(t.early.map((r) => r.key));
  let added = 0;
  for (const event of events) {
    const key = rowKey(event);
    if (kept.has(key)) continue;
    kept.add(key);
    t.early.push({ event, key, until: new Date(until) });
    added++;
  }
  return added;
}

/** The reference of `Store.applyReceipts`. */
export function applyReceipts(t: MemoryTables, events: ReceiptEvent[], keepUntil?: Date): ReceiptsApplied {
  const { result, unknownAt } = applyMatched(t, events);
  const kept = keepUntil
    ? keepEarly(
        t,
        unknownAt.map((i) => events[i]!),
        keepUntil,
      )
    : 0;
  return { ...result, kept };
}

/** Applies kept rows; those that found their delivery are kept no more. Returns the rows still unknown. */
function applyKept(t: MemoryTables, rows: EarlyReceiptRow[]) {
  const { result, unknownAt } = applyMatched(
    t,
    rows.map((r) => r.event),
  );
  const unknown = new Set(unknownAt.map((i) => rows[i]!));
  const done = new Set(rows.filter((r) => !unknown.has(r)));
  t.early = t.early.filter((r) => !done.has(r));
  return { result, unknown: [...unknown] };
}

/**
 * Whether a send that may have produced the kept receipt is still unsettled, so its settlement can
 * still apply it: a batch on its channel that has started and not settled (killed mid-send, or
 * waiting for a retry), or, for an open or click, its delivery not settled yet.
 */
export function ownerMayBePending(t: MemoryTables, event: ReceiptEvent): boolean {
  if ('deliveryId' in event) {
    const state = t.deliveries.get(event.deliveryId)?.state;
    return state === 'queued' || state === 'submitted';
  }
  for (const b of t.batches.values()) {
    if (b.channel === event.channel && b.starts > 0 && (b.state === 'queued' || b.state === 'leased'))
      return true;
  }
  return false;
}

/** The reference of `Store.retryEarlyReceipts`. */
export function retryEarly(t: MemoryTables, retry: EarlyReceiptRetry): EarlyReceiptsRetried {
  const { result, unknown } = applyKept(t, t.early.slice(0, retry.limit));
  const expired = new Set(
    unknown.filter((r) => r.until.getTime() <= retry.now.getTime() && !ownerMayBePending(t, r.event)),
  );
  t.early = t.early.filter((r) => !expired.has(r));
  const overCap = Math.max(0, t.early.length - retry.cap);
  t.early.splice(0, overCap);
  return { ...result, kept: 0, expired: expired.size, overCap };
}

/** In a settlement: applies the kept receipts of the deliveries it has just settled. */
export function applyEarlyOfSettled(t: MemoryTables, settled: Delivery[]): void {
  if (t.early.length === 0) return;
  const targets = new Set(
    settled.flatMap((d) => [
      `d|${d.id}`,
      ...(d.providerMessageId ? [`p|${d.channel}|${d.providerMessageId}`] : []),
    ]),
  );
  const rows = t.early.filter((r) => targets.has(targetOf(r.event)));
  if (rows.length > 0) applyKept(t, rows);
}

/** Whether a kept receipt of the delivery settles a window waiting for `unless` (the sweep leaves it). */
export function settledByEarly(t: MemoryTables, d: Delivery, unless: 'delivered' | 'read'): boolean {
  return t.early.some(
    (r) =>
      receiptSettlesWindow(r.event.state, unless) &&
      ('deliveryId' in r.event
        ? r.event.deliveryId === d.id
        : r.event.channel === d.channel && r.event.providerMessageId === d.providerMessageId),
  );
}
