import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../../db/database.js';
import { textArrayLiteral } from '../../store/pg-array.js';
import type { WebhookEventType } from './event-types.js';

export interface WebhookEvent {
  workspaceId: number | string;
  type: WebhookEventType;
  data: Record<string, unknown>;
  at: Date;
}

/**
 * Puts an event in the outbox for every enabled endpoint of the workspace that subscribed to
 * its type, set-based. Call inside the transaction that made the change: the event then
 * exists exactly when the change does. Due at `event.at`, the caller's clock (never the
 * database's `now()`, which a shifted clock would disagree with). Returns the event id.
 */
export async function enqueueWebhookEvent(tx: Db, event: WebhookEvent): Promise<string> {
  const id = `evt_${randomUUID()}`;
  const payload = {
    id,
    type: event.type,
    createdAt: event.at.toISOString(),
    workspaceId: String(event.workspaceId),
    data: event.data,
  };
  await preparedRows(
    tx,
    sql`
    INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event_id, event_type, payload, next_attempt_at, created_at)
    SELECT e.workspace_id, e.id, ${id}, ${event.type}, ${JSON.stringify(payload)}::jsonb,
           ${event.at.toISOString()}::timestamptz, ${event.at.toISOString()}::timestamptz
    FROM webhook_endpoints e
    WHERE e.workspace_id = ${Number(event.workspaceId)} AND e.enabled
      AND e.event_types @> jsonb_build_array(${event.type}::text)`,
  );
  return id;
}

/**
 * `enqueueWebhookEvent` for several events in one statement (in the given order), for intake
 * paths that record many at once; each due at its own `at`. Returns the event ids.
 */
export async function enqueueWebhookEvents(tx: Db, events: readonly WebhookEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  if (events.length === 1) return [await enqueueWebhookEvent(tx, events[0]!)];
  const ids = events.map(() => `evt_${randomUUID()}`);
  const payloads = events.map((event, i) =>
    JSON.stringify({
      id: ids[i],
      type: event.type,
      createdAt: event.at.toISOString(),
      workspaceId: String(event.workspaceId),
      data: event.data,
    }),
  );
  await preparedRows(
    tx,
    sql`
    INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event_id, event_type, payload, next_attempt_at, created_at)
    SELECT e.workspace_id, e.id, v.id, v.type, v.payload::jsonb, v.at, v.at
    FROM unnest(${textArrayLiteral(events.map((e) => String(e.workspaceId)))}::bigint[],
                ${textArrayLiteral(ids)}::text[], ${textArrayLiteral(events.map((e) => e.type))}::text[],
                ${textArrayLiteral(payloads)}::text[],
                ${textArrayLiteral(events.map((e) => e.at.toISOString()))}::timestamptz[])
         WITH ORDINALITY AS v(workspace_id, id, type, payload, at, n)
    JOIN webhook_endpoints e ON e.workspace_id = v.workspace_id AND e.enabled
      AND e.event_types @> jsonb_build_array(v.type)
    ORDER BY v.n, e.id`,
  );
  return ids;
}
