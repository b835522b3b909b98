import {
  type Counters,
  counterFor,
  type DeliveryState,
  emptyCounters,
  type FailureClass,
  failureClasses,
} from '@qunfa/core';
import { getTableColumns, sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../db/database.js';
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
  unconfirmed: 'failedUnconfirmed',
};

export function countersFromRow(row: CounterRow | undefined): Counters {
  const counters = emptyCounters();
  if (!row) return counters;
  const { failedByClass, ...plain } = counters;
  for (const key of Object.keys(plain) as (keyof typeof plain)[]) counters[key] = row[key] as number;
  for (const c of failureClasses) failedByClass[c] = row[failureColumn[c]] as number;
  return counters;
}

/** Shards of a campaign's counters; a batch always writes the same one. */
export const COUNTER_SHARDS = 16;
export const shardOf = (batchId: number | string): number => Number(batchId) % COUNTER_SHARDS;

const counterColumns = Object.entries(getTableColumns(campaignCounters)).filter(
  ([key]) => key !== 'campaignId' && key !== 'workspaceId' && key !== 'shard',
) as [keyof CounterRow, (typeof campaignCounters)['total']][];

/**
 * Each counter summed over the shards, under its JavaScript name: one text, so a named prepared
 * statement. A worker reads the counters after every settlement and for every completion check
 * (~4 a batch); built by drizzle and sent unnamed, each read was parsed and planned again — 0.64
 * of its 0.74 ms of server CPU (bench/pipeline, `BENCH_PG_SET=log_statement_stats=on`).
 */
const sumsSql = sql.join(
  counterColumns.map(
    ([key, col]) => sql`coalesce(sum(${sql.identifier(col.name)}), 0)::int AS ${sql.identifier(key)}`,
  ),
  sql`, `,
);

/** A campaign's exact counters: the sum of its shards, read without locking any. */
export async function readCounters(db: Db, campaignId: number): Promise<Counters> {
  const [row] = await preparedRows<CounterRow>(
    db,
    sql`SELECT ${sumsSql} FROM campaign_counters WHERE campaign_id = ${campaignId}::bigint`,
  );
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

  copy(): CounterDelta {
    const copy = new CounterDelta();
    for (const [column, n] of this.changes) copy.bump(column, n);
    return copy;
  }

  /** The non-zero changes, by counter row key. */
  nonZero(): [keyof CounterRow, number][] {
    return [...this.changes].filter(([, n]) => n !== 0);
  }

  bump(column: keyof CounterRow, n: number): void {
    this.changes.set(column, (this.changes.get(column) ?? 0) + n);
  }

  /**
   * Adds the delta to one shard of the campaign's counters in one upsert (no-op when nothing
   * changed). Call it last in the transaction: the shard's row lock is held until commit.
   */
  async apply(db: Db, campaign: { id: number; workspaceId: number }, shard: number): Promise<void> {
    const changes = this.nonZero();
    if (changes.length === 0) return;
    const values: Record<string, number> = Object.fromEntries(changes);
    const set: Record<string, SQL> = {};
    for (const [column] of changes) {
      const col = campaignCounters[column as keyof typeof campaignCounters.$inferSelect];
      set[column] = sql`${col} + excluded.${sql.identifier(col.name)}`;
    }
    await db
      .insert(campaignCounters)
      .values({ campaignId: campaign.id, workspaceId: campaign.workspaceId, shard, ...values })
      .onConflictDoUpdate({ target: [campaignCounters.campaignId, campaignCounters.shard], set });
  }
}

type SQL = ReturnType<typeof sql>;

/**
 * Adds several deltas, each to one shard of one campaign, in one upsert: receipts touch
 * deliveries of many campaigns at once. Rows are written in (campaign, shard) order; deltas of the
 * same shard are added together.
 */
export async function applyCounterDeltas(
  db: Db,
  deltas: { campaign: { id: number; workspaceId: number }; shard: number; delta: CounterDelta }[],
): Promise<void> {
  // One row per (campaign, shard): an upsert may not touch a row twice.
  const merged = new Map<string, (typeof deltas)[number]>();
  for (const d of deltas) {
    const key = `${d.campaign.id}/${d.shard}`;
    const into = merged.get(key);
    if (!into) merged.set(key, { ...d, delta: d.delta.copy() });
    else for (const [column, n] of d.delta.nonZero()) into.delta.bump(column, n);
  }
  const entries = [...merged.values()]
    .map((d) => ({ ...d, changes: d.delta.nonZero() }))
    .filter((d) => d.changes.length > 0)
    .sort((a, b) => a.campaign.id - b.campaign.id || a.shard - b.shard);
  if (entries.length === 0) return;
  const columns = counterColumns.map(([key, col]) => ({ key, name: col.name }));
  const records = entries.map((e) => {
    const values: Record<string, number> = Object.fromEntries(columns.map((c) => [c.name, 0]));
    for (const [key, n] of e.changes) values[campaignCounters[key].name] = n;
    return { campaign_id: e.campaign.id, workspace_id: e.campaign.workspaceId, shard: e.shard, ...values };
  });
  const names = columns.map((c) => sql.identifier(c.name));
  await preparedRows(
    db,
    sql`
    INSERT INTO campaign_counters (campaign_id, workspace_id, shard, ${sql.join(names, sql`, `)})
    SELECT campaign_id, workspace_id, shard, ${sql.join(names, sql`, `)}
    FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS r(
      campaign_id bigint, workspace_id bigint, shard smallint, ${sql.join(
        names.map((n) => sql`${n} int`),
        sql`, `,
      )})
    ON CONFLICT (campaign_id, shard) DO UPDATE SET ${sql.join(
      names.map((n) => sql`${n} = campaign_counters.${n} + excluded.${n}`),
      sql`, `,
    )}`,
  );
}
