import type { InboundMessage } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../../db/database.js';
import { textArrayLiteral } from '../../store/pg-array.js';

/** Where an inbound message goes: its sender's contact and, if any, the campaign that last reached them. */
export interface SenderMatch {
  workspaceId: number;
  contactId: number;
  campaignId: number | null;
  deliveryId: number | null;
}

/** Delivery states in which a message reached (or was handed for) the contact. */
const REACHED = `{sent,delivered,read,clicked,awaiting_confirmation}`;

/**
 * The delivery went out on `channel`, or on another provider of the same plan step of its
 * campaign: a reply to an SMS sent by Tencent after Aliyun failed over arrives at Tencent, and
 * one to an Aliyun SMS may arrive at Aliyun's SmsUp though Tencent is the step's primary.
 */
function sameStepSql(channel: string) {
  const provider = sql`to_jsonb(${channel}::text)`;
  return sql`AND (d.channel = ${channel} OR EXISTS (
    SELECT 1 FROM campaigns k, jsonb_array_elements(k.channel_plan) AS step
    WHERE k.id = d.campaign_id
      AND (step->'channel' = ${provider} OR coalesce(step->'failover', '[]'::jsonb) @> jsonb_build_array(${channel}::text))
      AND (step->>'channel' = d.channel OR coalesce(step->'failover', '[]'::jsonb) @> jsonb_build_array(d.channel))))`;
}

/**
 * Matches each message's sender to a contact by identity, in one statement, and attributes it
 * to the campaign whose delivery on `channel` (or another provider of its plan step; null: any
 * channel) reached that contact last
 * within `windowMs` before the message. An identity known in several workspaces goes to the
 * one whose campaign reached it last; with no such campaign it must be known in exactly one
 * (otherwise it is ambiguous, and unmatched). `workspaceId` limits the match to one workspace.
 *
 * "Reached last" is the delivery's last change (its send, or a later receipt): attempt rows
 * are not kept for every successful send, deliveries are.
 */
export async function matchSenders(
  db: Db,
  channel: string | null,
  messages: readonly InboundMessage[],
  options: { windowMs: number; workspaceId?: number },
): Promise<(SenderMatch | undefined)[]> {
  if (messages.length === 0) return [];
  const kinds = textArrayLiteral(messages.map((m) => m.from.kind));
  const values = textArrayLiteral(messages.map((m) => m.from.value));
  const ats = textArrayLiteral(messages.map((m) => m.at.toISOString()));
  const found = await preparedRows<{
    i: number | string;
    workspace_id: number | string;
    contact_id: number | string;
    campaign_id: number | string | null;
    delivery_id: number | string | null;
    reached_at: string | Date | null;
  }>(
    db,
    sql`WITH m AS (
          SELECT * FROM unnest(${kinds}::text[], ${values}::text[], ${ats}::timestamptz[])
            WITH ORDINALITY AS m(kind, value, at, i)
        )
        SELECT m.i, ci.workspace_id, ci.contact_id, last.campaign_id, last.id AS delivery_id,
               last.updated_at AS reached_at
        FROM m
        JOIN contact_identities ci ON ci.kind = m.kind AND ci.value = m.value
          ${options.workspaceId === undefined ? sql`` : sql`AND ci.workspace_id = ${options.workspaceId}::bigint`}
        JOIN contacts c ON c.id = ci.contact_id AND c.erased_at IS NULL AND c.merged_into_id IS NULL
        LEFT JOIN LATERAL (
          SELECT d.id, d.campaign_id, d.updated_at FROM deliveries d
          WHERE d.contact_id = ci.contact_id
            AND d.state = ANY(${REACHED}::text[])
            ${channel === null ? sql`` : sameStepSql(channel)}
            AND d.updated_at > m.at - ${`${Math.round(options.windowMs)} milliseconds`}::interval
          ORDER BY d.updated_at DESC, d.id DESC LIMIT 1
        ) last ON true`,
  );
  const byMessage = new Map<number, typeof found>();
  for (const row of found) {
    const i = Number(row.i) - 1;
    byMessage.set(i, [...(byMessage.get(i) ?? []), row]);
  }
  return messages.map((_, i) => {
    const candidates = byMessage.get(i) ?? [];
    const reached = candidates
      .filter((c) => c.reached_at !== null)
      .sort((a, b) => new Date(b.reached_at!).getTime() - new Date(a.reached_at!).getTime());
    const pick =
      reached[0] ??
      (new Set(candidates.map((c) => String(c.workspace_id))).size === 1 ? candidates[0] : undefined);
    if (!pick) return undefined;
    return {
      workspaceId: Number(pick.workspace_id),
      contactId: Number(pick.contact_id),
      campaignId: pick.campaign_id === null ? null : Number(pick.campaign_id),
      deliveryId: pick.delivery_id === null ? null : Number(pick.delivery_id),
    };
  });
}
