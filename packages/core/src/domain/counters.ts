import type { DeliveryState } from './delivery.js';
import { type FailureClass, failureClasses } from './failure.js';

/**
 * A campaign's counters, by delivery state (each delivery counted once, in its current state),
 * plus failures by class. `total` is the number of deliveries planned.
 */
export interface Counters {
  total: number;
  /** An A/B test's rest, waiting for the winner. */
  waiting: number;
  queued: number;
  submitted: number;
  awaitingConfirmation: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  suppressed: number;
  filtered: number;
  uncertain: number;
  failedByClass: Record<FailureClass, number>;
}

const stateCounter: Record<DeliveryState, Exclude<keyof Counters, 'total' | 'failedByClass'>> = {
  waiting: 'waiting',
  queued: 'queued',
  submitted: 'submitted',
  awaiting_confirmation: 'awaitingConfirmation',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  clicked: 'clicked',
  failed: 'failed',
  suppressed: 'suppressed',
  filtered: 'filtered',
  uncertain: 'uncertain',
};

/** The counter field a delivery state is counted under. */
export function counterFor(state: DeliveryState): Exclude<keyof Counters, 'total' | 'failedByClass'> {
  return stateCounter[state];
}

export function emptyCounters(): Counters {
  return {
    total: 0,
    waiting: 0,
    queued: 0,
    submitted: 0,
    awaitingConfirmation: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    failed: 0,
    suppressed: 0,
    filtered: 0,
    uncertain: 0,
    failedByClass: Object.fromEntries(failureClasses.map((c) => [c, 0])) as Record<FailureClass, number>,
  };
}

/** Deliveries that reached the provider and were accepted at least once (sent or better). */
export function reachedCount(c: Counters): number {
  return c.sent + c.delivered + c.read + c.clicked;
}

/** Deliveries the engine has finished with (nothing left queued or in flight). */
export function settledCount(c: Counters): number {
  return reachedCount(c) + c.failed + c.suppressed + c.filtered + c.uncertain + c.awaitingConfirmation;
}
