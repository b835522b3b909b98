import {
  counterFor,
  type DeliveryState,
  decideReceipts,
  deliveryStates,
  earlyReceiptKey,
  type ReceiptEvent,
  unsettled,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../db/database.js';
import { campaignCounters } from '../db/schema/index.js';
import { COUNTER_SHARDS } from './counters-sql.js';
import type { Outcome } from './receipts-sql.js';

/*
 * Tracked clicks in one statement. A group of clicks through the general path (`applyReceiptGroups`)
 * costs seven messages to PostgreSQL, six round trips: BEGIN, the match, the delivery update and
 * the event insert, the counter shards, COMMIT — at ~14 clicks a group that fixed cost was most of
 * a click's CPU. Here the same decisions are one data-modifying statement, its own transaction:
 * the deliveries locked in id order, then moved, the event rows and early receipts inserted and
 * the shards added (in campaign and shard order) — the locks in the order the general path takes
 * them. The state lists below come from `decideReceipts` and `unsettled`, so the rules stay the
 * core's: a click moves a delivery that reached the provider (sent, delivered, read, awaiting
 * confirmation, uncertain) to clicked, its earliest click applied and the others recorded; a
 * click on a clicked delivery is an event only; one on a queued or submitted delivery, or on
 * none, is kept as an early receipt; anything else is ignored.
 */

const probe: ReceiptEvent = { deliveryId: '1', state: 'clicked', at: new Date(0), source: 'link', link: 0 };
const statesWhere = (test: (state: DeliveryState) => boolean) => deliveryStates.filter(test);
/** States a click moves to clicked. */
const movable = statesWhere((s) => decideReceipts({ state: s }, [probe]).next?.state === 'clicked');
/** States where a click is recorded without moving the delivery. */
const recordedOnly = statesWhere((s) => {
  const decision = decideReceipts({ state: s }, [probe]);
  return decision.next === undefined && decision.record.length > 0;
});
const unsettledStates = statesWhere(unsettled);
const list = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');

/** Per campaign and shard: each moved delivery leaves its state's counter for `clicked`. */
const counterChanges = (() => {
  const byColumn = new Map<string, string[]>();
  const add = (state: DeliveryState, term: string) => {
    const column = campaignCounters[counterFor(state)].name;
    byColumn.set(column, [...(byColumn.get(column) ?? []), term]);
  };
  for (const s of movable) add(s, `- count(*) FILTER (WHERE state = '${s}')`);
  add('clicked', '+ count(*)');
  return [...byColumn].map(([column, terms]) => ({ column, value: `(${terms.join(' ')})::int` }));
})();

const CLICKS_STATEMENT = `
  WITH c AS (
    SELECT * FROM jsonb_to_recordset(:clicks::jsonb) AS c(i int, delivery_id bigint, at timestamptz, payload jsonb, event jsonb, key text)
  ), m AS (
    SELECT d.id, d.workspace_id, d.campaign_id, d.state FROM deliveries d
    WHERE d.id = ANY(ARRAY(SELECT DISTINCT delivery_id FROM c))
    ORDER BY d.id FOR UPDATE OF d
  ), moved AS (
    SELECT m.*, (SELECT max(c.at) FROM c WHERE c.delivery_id = m.id) AS last FROM m
    WHERE m.state IN (${list(movable)})
  ), u AS (
    UPDATE deliveries d SET state = 'clicked', failure_class = NULL, updated_at = moved.last
    FROM moved WHERE d.id = moved.id
  ), r AS (
    SELECT c.*, m.workspace_id, m.campaign_id, m.state IN (${list(movable)}) AS moves,
      CASE
        WHEN m.id IS NULL OR m.state IN (${list(unsettledStates)}) THEN 'unknown'
        WHEN m.state IN (${list(movable)})
          THEN CASE WHEN row_number() OVER (PARTITION BY c.delivery_id ORDER BY c.at, c.i) = 1 THEN 'applied' ELSE 'recorded' END
        WHEN m.state IN (${list(recordedOnly)}) THEN 'recorded'
        ELSE 'ignored'
      END AS outcome
    FROM c LEFT JOIN m ON m.id = c.delivery_id
  ), e AS (
    INSERT INTO events (workspace_id, campaign_id, delivery_id, type, payload, at)
    SELECT workspace_id, campaign_id, delivery_id, 'delivery.clicked', payload, at FROM r
    WHERE outcome IN ('applied', 'recorded') ORDER BY delivery_id, at, i
  ), k AS (
    INSERT INTO early_receipts (channel, provider_message_id, delivery_id, state, dedupe_key, event, keep_until)
    SELECT NULL, NULL, delivery_id, 'clicked', key, event, (:until)::timestamptz FROM r
    WHERE outcome = 'unknown' ORDER BY i
    ON CONFLICT DO NOTHING
    RETURNING delivery_id, dedupe_key
  ), n AS (
    INSERT INTO campaign_counters (campaign_id, workspace_id, shard, ${counterChanges.map((c) => c.column).join(', ')})
    SELECT campaign_id, workspace_id, (id % ${COUNTER_SHARDS})::smallint, ${counterChanges.map((c) => c.value).join(', ')}
    FROM moved GROUP BY 1, 2, 3 ORDER BY 1, 3
    ON CONFLICT (campaign_id, shard) DO UPDATE SET
      ${counterChanges.map((c) => `${c.column} = campaign_counters.${c.column} + excluded.${c.column}`).join(', ')}
  )
  SELECT i, outcome, moves, workspace_id::text, campaign_id::text, NULL AS kept FROM r
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, json_build_array(delivery_id::text, dedupe_key)::text FROM k`;

const [beforeClicks, rest] = CLICKS_STATEMENT.split(':clicks') as [string, string];
const [beforeUntil, afterUntil] = rest.split(':until') as [string, string];

const numeric = (id: string) => (/^\d{1,15}$/.test(id) ? Number(id) : undefined);

/** Whether `applyClicks` takes these events: tracked clicks only, by a delivery id of ours. */
export function onlyClicks(events: readonly ReceiptEvent[]): boolean {
  return events.every(
    (e) =>
      'deliveryId' in e &&
      e.source === 'link' &&
      e.state === 'clicked' &&
      e.failure === undefined &&
      e.error === undefined &&
      numeric(e.deliveryId) !== undefined,
  );
}

/** What `applyReceiptGroups` needs of the events, as `applyMatchedIn` and `keepEarly` give it. */
export interface ClicksApplied {
  outcome: Outcome[];
  campaignAt: ({ workspaceId: string; campaignId: string } | undefined)[];
  /** Indexes of the events newly kept as early receipts. */
  keptAt: number[];
}

/** Tracked clicks (`onlyClicks`) applied in one statement: what the general path decides, in one round trip. */
export async function applyClicks(db: Db, events: ReceiptEvent[], keepUntil: Date): Promise<ClicksApplied> {
  const clicks = events.map((e, i) => ({
    i,
    delivery_id: numeric((e as { deliveryId: string }).deliveryId),
    at: e.at.toISOString(),
    payload: { source: e.source, ...(e.link === undefined ? {} : { link: e.link }) },
    event: e,
    key: earlyReceiptKey(e),
  }));
  const rows = await preparedRows<{
    i: number | null;
    outcome: Exclude<Outcome, 'moved'> | null;
    moves: boolean | null;
    workspace_id: string | null;
    campaign_id: string | null;
    kept: string | null;
  }>(
    db,
    sql`${sql.raw(beforeClicks)}${JSON.stringify(clicks)}${sql.raw(beforeUntil)}${keepUntil.toISOString()}${sql.raw(afterUntil)}`,
  );
  const outcome = new Array<Outcome>(events.length).fill('ignored');
  const campaignAt = new Array<{ workspaceId: string; campaignId: string } | undefined>(events.length);
  const newly = new Set<string>();
  for (const row of rows) {
    if (row.kept !== null) {
      const [deliveryId, key] = JSON.parse(row.kept) as [string, string];
      newly.add(JSON.stringify([deliveryId, key]));
      continue;
    }
    const i = row.i!;
    outcome[i] = row.outcome!;
    // As in the general path: the events recorded on a delivery they moved carry its campaign.
    if (row.moves && row.outcome !== 'unknown')
      campaignAt[i] = { workspaceId: row.workspace_id!, campaignId: row.campaign_id! };
  }
  // Of several unknown clicks with the same key, the first is the one kept (as `keepEarly`).
  const keptAt: number[] = [];
  for (const c of clicks) {
    if (outcome[c.i] === 'unknown' && newly.delete(JSON.stringify([String(c.delivery_id), c.key])))
      keptAt.push(c.i);
  }
  return { outcome, campaignAt, keptAt };
}
