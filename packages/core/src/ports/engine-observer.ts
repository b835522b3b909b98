import type { DeliveryResult } from './store.js';

/** A batch whose results were written: what operations logs and metrics are made of. */
export interface BatchSettledEvent {
  workspaceId: string;
  campaignId: string;
  batchId: string;
  channel: string;
  /** The sender account it went out on, if the channel has several. */
  account: string | null;
  /** How many times the batch was claimed (1: first try). */
  attempt: number;
  /** When the worker claimed it, and how long claim → settle took, in ms. */
  claimedAt: Date;
  durationMs: number;
  /** One per delivery of the batch; bodies and addresses are never part of them. */
  results: readonly DeliveryResult[];
}

/**
 * Optional: the app watches the engine for logs and metrics. Calls are synchronous and must not
 * throw or block (a failing observer is the app's bug, never a lost send).
 */
export interface EngineObserver {
  batchSettled?(event: BatchSettledEvent): void;
  /** A campaign started sending (its deliveries planned). */
  campaignStarted?(event: { workspaceId: string; campaignId: string; recipients: number }): void;
  /** A campaign completed: nothing left to send or wait for. */
  campaignCompleted?(event: { workspaceId: string; campaignId: string }): void;
}
