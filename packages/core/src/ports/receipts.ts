import type { DeliveryEvent } from '../plugins/channel.js';

/**
 * A receipt or engagement event for the store: a channel's `DeliveryEvent` matched by
 * (channel, provider message id), or a tracked click matched by our delivery id.
 */
export type ReceiptEvent = Omit<DeliveryEvent, 'providerMessageId'> & {
  /**
   * Where it came from, kept on the event row: `callback`, `poll`, `link` (a tracked click) or
   * `pixel` (an e-mail's open pixel loaded).
   */
  source: 'callback' | 'poll' | 'link' | 'pixel';
  /** For a tracked click: the index of the link in the variant's text. */
  link?: number;
} & ({ channel: string; providerMessageId: string } | { deliveryId: string });

/** What applying a set of receipt events did. */
export interface ReceiptsApplied {
  /** Events that moved a delivery's state (and its campaign's counters). */
  applied: number;
  /** Event rows written: the applied ones plus repeated clicks (events only). */
  recorded: number;
  /** Events ignored: already recorded (replays), or behind the delivery's state (out of order). */
  ignored: number;
  /**
   * Events that matched no delivery, as given (provider message id or delivery id), and events by
   * delivery id for a delivery still `submitted` (a click or open that beat its settlement).
   */
  unknown: string[];
  /**
   * Of `unknown`, the events newly kept as early receipts (with `keepUntil`); one the store
   * already keeps (a provider's replay) is not kept, nor counted, twice. 0 without `keepUntil`.
   */
  kept: number;
  /** Campaigns whose counters moved, for progress events. */
  campaigns: { workspaceId: string; campaignId: string }[];
}

/** One round of `ReceiptStore.retryEarlyReceipts`. */
export interface EarlyReceiptRetry {
  now: Date;
  /** Most kept receipts tried in this round, oldest first. */
  limit: number;
  /** Most kept receipts left after it: beyond it the oldest are dropped (counted in `overCap`). */
  cap: number;
}

export interface EarlyReceiptsRetried extends ReceiptsApplied {
  /** Kept receipts still unknown after their `keepUntil`: dropped. */
  expired: number;
  /** Kept receipts dropped, oldest first, because more than `cap` were kept. */
  overCap: number;
}

/**
 * Receipts, and the early receipts a store keeps: a provider may report a message (and a reader
 * open or click it) before the settlement of its send has committed the delivery's provider
 * message id or moved it past `submitted`. Such events are kept in the store — durable, shared by
 * every process, written in the transaction that found them unknown — until the delivery is
 * settled or they expire. While one of a delivery's kept receipts reports it delivered or further,
 * `escalateUnconfirmed` does not move it (`receiptSettlesWindow`); `settleBatch` applies the kept
 * receipts of the deliveries it settles in its own transaction, and `retryEarlyReceipts` those a
 * concurrent settlement could not see.
 */
export interface ReceiptStore {
  /**
   * Applies receipt and engagement events in one transaction, set-based: a delivery only moves
   * forward (sent → delivered → read → clicked; `failed`/`filtered` only from sent, awaiting
   * confirmation or uncertain), each move counted once in the counters; an event row per applied
   * event (a repeated click is an event row only). Replays and stale events are ignored; events
   * for unknown deliveries are reported, not written — and, with `keepUntil`, kept as early
   * receipts until then, in the same transaction.
   */
  applyReceipts(events: ReceiptEvent[], options?: { keepUntil?: Date }): Promise<ReceiptsApplied>;
  /**
   * `applyReceipts` of several calls in one transaction (group commit): the groups' events are
   * decided together as one call's would be (or the groups one after another), so an event in
   * two groups counts once, and kept once; each group's result counts its own events. All groups
   * commit, or none. Optional: without it the engine applies each call on its own.
   */
  applyReceiptGroups?(groups: ReceiptEvent[][], options?: { keepUntil?: Date }): Promise<ReceiptsApplied[]>;
  /**
   * Tries kept early receipts again (up to `limit`, oldest first), in one transaction: those that
   * now find their settled delivery are applied as `applyReceipts` applies events and no longer
   * kept, those still unknown after their `keepUntil` are dropped — unless a send that may have
   * produced them is still unsettled (a batch on their channel that has started and not settled:
   * killed mid-send and not run again yet, or waiting for a retry; for an open or click, its
   * delivery not settled): its settlement applies them, however late it comes — and then the
   * oldest beyond `cap`. Kept receipts another transaction is trying are skipped.
   */
  retryEarlyReceipts(retry: EarlyReceiptRetry): Promise<EarlyReceiptsRetried>;
}
