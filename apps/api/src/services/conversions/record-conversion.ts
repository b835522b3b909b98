import { identityKinds, QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, rows } from '../../db/database.js';
import type { LinkTokens } from '../../links/link-token.js';
import { normalizeIdentity } from '../identity.js';
import { validate } from '../validate.js';

/** How far back a message that reached the contact takes credit for a conversion. */
export const CONVERSION_WINDOW_MS = 7 * 24 * 3600 * 1000;

export const conversionInput = z.strictObject({
  idempotencyKey: z.string().trim().min(1).max(200),
  event: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : -, at most 64'),
  value: z.number().finite().min(0).max(1e12).nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
    .nullish(),
  occurredAt: z.coerce.date().nullish(),
  /** Who converted: a contact id, or one of their identities. */
  contactId: z
    .string()
    .regex(/^\d{1,18}$/)
    .nullish(),
  identity: z.strictObject({ kind: z.enum(identityKinds), value: z.string().min(1).max(320) }).nullish(),
  /** The tracked-link token the person came through (the `qf_click` parameter of the landing URL). */
  linkToken: z.string().trim().min(1).max(64).nullish(),
});
export type ConversionInput = z.input<typeof conversionInput>;

export interface Conversion {
  id: string;
  event: string;
  value: number | null;
  currency: string | null;
  contactId: string | null;
  campaignId: string | null;
  deliveryId: string | null;
  /** link: the delivery of the tracked link the person came through; contact: the latest that reached them. */
  attributedBy: 'link' | 'contact' | 'none';
  source: 'api' | 'webhook';
  occurredAt: Date;
  /** True when the idempotency key was seen before: the first record comes back, nothing written. */
  duplicate: boolean;
}

interface Row {
  id: string;
  event: string;
  value: string | null;
  currency: string | null;
  contactId: string | null;
  campaignId: string | null;
  deliveryId: string | null;
  attributedBy: Conversion['attributedBy'];
  source: Conversion['source'];
  occurredMs: number;
}

const columns = sql`id::text AS id, event, value::text AS value, currency, contact_id::text AS "contactId",
  campaign_id::text AS "campaignId", delivery_id::text AS "deliveryId", attributed_by AS "attributedBy",
  source, (extract(epoch FROM occurred_at) * 1000)::float8 AS "occurredMs"`;

const toConversion = (r: Row, duplicate: boolean): Conversion => ({
  ...r,
  value: r.value === null ? null : Number(r.value),
  occurredAt: new Date(r.occurredMs),
  duplicate,
});

/**
 * Records a conversion once per workspace and idempotency key. With a tracked-link token it is
 * attributed to that token's delivery (and its contact and campaign), whenever the click was; a
 * token that is forged, or of another workspace, is INVALID_INPUT on `linkToken`, nothing
 * written. Otherwise to the latest message that reached the contact (sent or better) within
 * `CONVERSION_WINDOW_MS` before it happened. A contact that is not the workspace's is
 * CONTACT_NOT_FOUND, nothing written; an identity nobody has is recorded unattributed (the
 * partner's event still counts as theirs).
 */
export async function recordConversion(
  db: Db,
  workspaceId: number,
  input: unknown,
  source: Conversion['source'],
  now: Date,
  linkTokens?: LinkTokens,
): Promise<Conversion> {
  const c = validate(conversionInput, input);
  const badToken = () =>
    new QunfaError('INVALID_INPUT', 'not a tracked-link token of this workspace', {
      details: { field: 'linkToken' },
    });
  if (c.contactId && c.identity) {
    throw new QunfaError('INVALID_INPUT', 'give contactId or identity, not both', {
      details: { field: 'identity' },
    });
  }
  if ((c.value == null) !== (c.currency == null)) {
    throw new QunfaError('INVALID_INPUT', 'value and currency go together', {
      details: { field: 'currency' },
    });
  }
  const occurredAt = c.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime() + 5 * 60_000) {
    throw new QunfaError('INVALID_INPUT', 'occurredAt is in the future', {
      details: { field: 'occurredAt' },
    });
  }
  const [known] = await rows<Row>(
    db,
    sql`SELECT ${columns} FROM conversions WHERE workspace_id = ${workspaceId} AND idempotency_key = ${c.idempotencyKey}`,
  );
  if (known) return toConversion(known, true);

  let contactId: number | null = null;
  let linked: { id: number; campaignId: number; contactId: number } | undefined;
  if (c.linkToken) {
    const ref = linkTokens?.verify(c.linkToken);
    if (!ref) throw badToken();
    [linked] = await rows<{ id: number; campaignId: number; contactId: number }>(
      db,
      sql`SELECT id, campaign_id AS "campaignId", contact_id AS "contactId" FROM deliveries
          WHERE id = ${Number(ref.deliveryId)} AND workspace_id = ${workspaceId}`,
    );
    if (!linked) throw badToken();
  }
  if (c.contactId) {
    const [found] = await rows<{ id: number }>(
      db,
      sql`SELECT id FROM contacts WHERE id = ${Number(c.contactId)} AND workspace_id = ${workspaceId}`,
    );
    if (!found) throw new QunfaError('CONTACT_NOT_FOUND', `contact ${c.contactId} not found`);
    contactId = Number(found.id);
  } else if (c.identity) {
    const value = normalizeIdentity(c.identity.kind, c.identity.value);
    if (value === undefined) {
      throw new QunfaError('INVALID_INPUT', `not a valid ${c.identity.kind}`, {
        details: { field: 'identity.value' },
      });
    }
    const [found] = await rows<{ id: number }>(
      db,
      sql`SELECT c.id FROM contact_identities ci JOIN contacts c ON c.id = ci.contact_id
          WHERE ci.workspace_id = ${workspaceId} AND ci.kind = ${c.identity.kind} AND ci.value = ${value}
          ORDER BY c.merged_into_id IS NULL DESC LIMIT 1`,
    );
    contactId = found ? Number(found.id) : null;
  }
  if (linked) {
    if (contactId !== null && contactId !== Number(linked.contactId)) {
      throw new QunfaError('INVALID_INPUT', 'the tracked link was sent to another contact', {
        details: { field: 'linkToken' },
      });
    }
    contactId = Number(linked.contactId);
  }
  const [delivery] = linked
    ? [linked]
    : contactId === null
      ? []
      : await rows<{ id: number; campaignId: number }>(
          db,
          sql`SELECT d.id, d.campaign_id AS "campaignId" FROM deliveries d
              WHERE d.workspace_id = ${workspaceId} AND d.contact_id = ${contactId}
                AND d.state IN ('sent', 'delivered', 'read', 'clicked')
                AND d.updated_at <= ${occurredAt.toISOString()}::timestamptz
                AND d.updated_at > ${new Date(occurredAt.getTime() - CONVERSION_WINDOW_MS).toISOString()}::timestamptz
              ORDER BY d.updated_at DESC, d.id DESC LIMIT 1`,
        );
  const inserted = await rows<Row>(
    db,
    sql`INSERT INTO conversions (workspace_id, idempotency_key, event, value, currency, contact_id, campaign_id,
                                 delivery_id, attributed_by, source, occurred_at)
        VALUES (${workspaceId}, ${c.idempotencyKey}, ${c.event}, ${c.value ?? null}, ${c.currency ?? null}, ${contactId},
                ${delivery?.campaignId ?? null}, ${delivery?.id ?? null}, ${linked ? 'link' : delivery ? 'contact' : 'none'}, ${source},
                ${occurredAt.toISOString()}::timestamptz)
        ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
        RETURNING ${columns}`,
  );
  if (inserted[0]) return toConversion(inserted[0], false);
  // Another request with the same key won the race: its record is the one.
  const [raced] = await rows<Row>(
    db,
    sql`SELECT ${columns} FROM conversions WHERE workspace_id = ${workspaceId} AND idempotency_key = ${c.idempotencyKey}`,
  );
  return toConversion(raced!, true);
}
