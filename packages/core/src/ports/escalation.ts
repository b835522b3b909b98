import type { IdentityKind } from '../domain/contact.js';
import type { FailureClass } from '../domain/failure.js';
import type { BatchRef } from './store.js';

/** One escalation window of a campaign's plan step (`ChannelPlanStep.escalateAfter`). */
export interface EscalationWindow {
  /** The step's channel and its failover providers: deliveries on these are watched. */
  channels: string[];
  afterMs: number;
  /**
   * The time up to which the receipts of `channels` have been read, when earlier than the sweep's
   * `now`: the window is judged at it instead — a delivery escalates when its send + `afterMs` is
   * at or before it. A receipt the provider gave within the window but that is not read yet (a
   * polled channel whose poll lags) cannot then let the recipient move to a second channel.
   * Default: `now`.
   */
  receiptsReadUntil?: Date;
  /** `delivered`: sent or awaiting confirmation escalate; `read`: delivered ones too. */
  unless: 'delivered' | 'read';
  /**
   * The step's channel withdraws what its confirmer has not confirmed (`limits.confirmation`):
   * deliveries awaiting confirmation are not moved by the window — they may still be confirmed and
   * sent — but by the channel's `unconfirmed` failure. Default false.
   */
  confirmationHeld?: boolean;
  /** The later steps, in plan order: the first with an identity kind the contact has takes it. */
  next: { channel: string; identityKinds: IdentityKind[]; batchSize: number; account: string | null }[];
}

/**
 * A plan step's permanent failures that a receipt reported after the send (a number out of
 * service, a customer who left the sender): like a failed send, they go on to a later step.
 */
export interface FailedEscalation {
  /** The step's channel and its failover providers. */
  channels: string[];
  /** Failed deliveries of these classes move (the campaign's `retryPolicy.escalateOn`). */
  classes: FailureClass[];
  /** The later steps, in plan order, as in `EscalationWindow.next`. */
  next: EscalationWindow['next'];
}

/** A declarative escalation sweep over one campaign, executed set-based by the store. */
export interface EscalationSweep {
  workspaceId: string;
  campaignId: string;
  now: Date;
  windows: EscalationWindow[];
  /** Failed deliveries to move on, per step that has a later one. Default none. */
  failed?: FailedEscalation[];
  /**
   * Channels whose deliveries awaiting confirmation are held for the channel's verdict (a step of a
   * channel with `limits.confirmation`, a deadline and a later step): they count as waiting — the
   * campaign is not done — until confirmed and reported, or withdrawn (`unconfirmed`) and moved on.
   * Default none.
   */
  held?: string[];
  /** Most deliveries moved in one sweep; the rest wait for the next. */
  limit: number;
  /**
   * Sweep a completed campaign too (a failure a receipt reported after it completed): when a
   * delivery moves, the campaign runs again (`running`, `finishedAt` cleared, an audit entry) in
   * the same transaction, and completes again once its new batches are done. Default: running only.
   */
  reopenCompleted?: boolean;
}

export interface EscalationResult {
  /** Deliveries moved to a later step, `queued` in new batches due at `now`. */
  escalated: number;
  followUps: BatchRef[];
  /**
   * Deliveries on a watched channel not sent yet or still inside their window, or left over by
   * the limit: the campaign is not done.
   */
  waiting: number;
}
