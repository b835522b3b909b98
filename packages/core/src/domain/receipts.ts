import type { DeliveryState } from './delivery.js';
import type { FailureClass } from './failure.js';

/** How far a delivery got at the provider: receipts only ever move it up this scale. */
const reach: Partial<Record<DeliveryState, number>> = {
  awaiting_confirmation: 1,
  uncertain: 1,
  sent: 1,
  delivered: 2,
  read: 3,
  clicked: 4,
};

/** The part of an event the decision needs. */
export interface ReceiptInput {
  state: 'sent' | 'delivered' | 'read' | 'clicked' | 'failed' | 'filtered';
  at: Date;
  failure?: FailureClass;
  error?: string;
}

export interface ReceiptDecision {
  /** The delivery's new state; undefined when it does not move. */
  next?: { state: DeliveryState; failureClass: FailureClass | null; error: string | null };
  /** Indexes of the events to keep as event rows: those that moved it, and repeated clicks. */
  record: number[];
  /** Of `record`, those that moved the delivery forward. */
  applied: number;
}

/**
 * What a set of new (not yet recorded) events does to one delivery. A delivery moves only
 * forward: sent (or awaiting confirmation, or uncertain) → delivered → read → clicked, each
 * event above the current state is applied and the highest wins; a click implies a read. A
 * `failed` or `filtered` receipt applies only while it is no further than sent, and only when
 * no event of the set proves it arrived. A `sent` receipt (a message held for a person's
 * confirmation went out, reported only as a whole: an Official Account's protected mass send)
 * moves a delivery awaiting confirmation to sent, unless a failure of the set says otherwise.
 * A click on an already clicked delivery is an event only.
 * Anything else (queued, suppressed, failed deliveries; stale events) is ignored.
 */
export function decideReceipts(
  current: { state: DeliveryState },
  events: readonly ReceiptInput[],
): ReceiptDecision {
  const from = reach[current.state];
  if (from === undefined) return { record: [], applied: 0 };
  const order = events.map((_, i) => i).sort((a, b) => events[a]!.at.getTime() - events[b]!.at.getTime());
  const record: number[] = [];
  let top = from;
  let state: DeliveryState = current.state;
  let applied = 0;
  // Advancing events in the order they rose, so each level is recorded once.
  const positive = order
    .filter((i) => reach[events[i]!.state] !== undefined)
    .sort((a, b) => (reach[events[a]!.state] ?? 0) - (reach[events[b]!.state] ?? 0));
  for (const i of positive) {
    const level = reach[events[i]!.state]!;
    if (level > top) {
      top = level;
      state = events[i]!.state;
      record.push(i);
      applied++;
    } else if (level === 4 && top === 4) {
      record.push(i);
    }
  }
  if (applied > 0) return { next: { state, failureClass: null, error: null }, record, applied };
  if (from !== 1) return { record, applied: 0 };
  const failure = order.find((i) => events[i]!.state === 'failed' || events[i]!.state === 'filtered');
  const confirmed =
    current.state === 'awaiting_confirmation' ? order.find((i) => events[i]!.state === 'sent') : undefined;
  if (failure === undefined && confirmed !== undefined) {
    return { next: { state: 'sent', failureClass: null, error: null }, record: [confirmed], applied: 1 };
  }
  if (failure === undefined) return { record, applied: 0 };
  const e = events[failure]!;
  return {
    next: {
      state: e.state,
      failureClass: e.state === 'failed' ? (e.failure ?? 'unknown') : null,
      error: e.error ?? null,
    },
    record: [...record, failure],
    applied: 1,
  };
}

/**
 * The key that makes a provider's event count once: a replayed callback repeats state and time.
 * Tracked clicks have none: every click is an event (only the first moves counters).
 */
export function receiptKey(event: { state: string; at: Date; source: string }): string | null {
  return event.source === 'link' ? null : `${event.state}@${event.at.toISOString()}`;
}

/**
 * Whether a delivery's send may still be settling (queued, or submitted): an event by delivery id
 * (a tracked click, an open pixel) for it proves the message went out before the settlement was
 * written, so the stores report it unknown and the engine tries it again.
 */
export function unsettled(state: DeliveryState): boolean {
  return state === 'queued' || state === 'submitted';
}

/**
 * What makes an early receipt (kept for a delivery not settled yet) kept once: its receipt key,
 * or, for a click (every click an event), the link and time — a replayed request repeats both.
 */
export function earlyReceiptKey(event: { state: string; at: Date; source: string; link?: number }): string {
  return receiptKey(event) ?? `click:${event.link ?? ''}@${event.at.toISOString()}`;
}

/**
 * Whether a receipt of `state` settles an escalation window waiting for `unless`: it reports the
 * state or one beyond it (an open is read, a click implies a read).
 */
export function receiptSettlesWindow(state: string, unless: 'delivered' | 'read'): boolean {
  const level = reach[state as DeliveryState];
  return level !== undefined && level >= reach[unless]!;
}

/** The receipt states that settle a window waiting for `unless`, for a store's query. */
export function statesSettlingWindow(unless: 'delivered' | 'read'): DeliveryState[] {
  return (Object.keys(reach) as DeliveryState[]).filter((s) => receiptSettlesWindow(s, unless));
}
