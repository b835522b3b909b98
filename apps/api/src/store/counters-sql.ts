import {
  type Counters,
  counterFor,
  type DeliveryState,
  emptyCounters,
  type FailureClass,
  failureClasses,
} from '@qunfa/core';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { campaignCounters } from '../db/schema/index.js';

type CounterRow = typeof campaignCounters.$inferSelect;

const failureColumn: Record<FailureClass, keyof CounterRow> = {
  rate_limited: 'failedRateLimited',
  network: 'failedNetwork',
  invalid_recipient: 'failedInvalidRecipient',
  blocked_by_user: 'failedBlockedByUser',
  account_restricted: 'failedAccountRestricted',
  content_rejected: 'failedContentRejected',
  unknown: 'failedUnknown',
};

export function countersFromRow(row: CounterRow | undefined): Counters {
  const counters = emptyCounters();
  if (!row) return counters;
  const { failedByClass, ...plain } = counters;
  for (const key of Object.keys(plain) as (keyof typeof plain)[]) counters[key] = row[key] as number;
  for (const c of failureClasses) failedByClass[c] = row[failureColumn[c]] as number;
  return counters;
}

export async function readCounters(db: Db, campaignId: number): Promise<Counters> {
  const [row] = await db.select().from(campaignCounters).where(eq(campaignCounters.campaignId, campaignId));
  return countersFromRow(row);
}

/** Net changes to counters from deliveries moving between states. */
export class CounterDelta {
  private readonly changes = new Map<keyof CounterRow, number>();

  move(from: { state: DeliveryState; failureClass?: FailureClass | null } | null, to: typeof from): void {
    if (from) this.add(from, -1);
    if (to) this.add(to, +1);
  }

  add(entry: { state: DeliveryState; failureClass?: FailureClass | null }, n: number): void {
    this.bump(counterFor(entry.state), n);
    if (entry.state === 'failed' && entry.failureClass) this.bump(failureColumn[entry.failureClass], n);
  }

  bump(column: keyof CounterRow, n: number): void {
    this.changes.set(column, (this.changes.get(column) ?? 0) + n);
  }

  /** Applies the delta in one UPDATE (no-op when nothing changed). */
  async apply(db: Db, campaignId: number): Promise<void> {
    const set: Record<string, SQL> = {};
    for (const [column, n] of this.changes) {
      if (n === 0) continue;
      const col = campaignCounters[column as keyof typeof campaignCounters.$inferSelect];
      set[column] = sql`${col} + ${n}`;
    }
    if (Object.keys(set).length === 0) return;
    await db.update(campaignCounters).set(set).where(eq(campaignCounters.campaignId, campaignId));
  }
}

type SQL = ReturnType<typeof sql>;
