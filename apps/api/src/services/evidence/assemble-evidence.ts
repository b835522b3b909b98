import { createHash, createHmac } from 'node:crypto';
import {
  type Actor,
  type ChannelPlanStep,
  type Content,
  contentAsSent,
  type LinkTracker,
  planStepOf,
  sentContent,
} from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../../db/database.js';
import { evidenceBundles } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { canonicalJson } from './canonical-json.js';

/** The document's format name and version, first thing a reader checks. */
export const EVIDENCE_FORMAT = 'qunfa.complaint-evidence/1';

export interface EvidenceOptions {
  /** Signs each document (HMAC-SHA-256); unset: documents are hashed, not signed. */
  signingKey?: string;
  /** The app's link tracker, so the content shows the tracked links the contact got. */
  linkTracker?: LinkTracker;
}

/** A timestamp as an ISO string in UTC, whatever the session's time zone. */
const iso = (column: string) =>
  sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/*
 * Every read here is a prepared statement (its text never varies but for the audit section's
 * subjects, a handful of shapes), and the independent ones are sent together (pipelined in the
 * transaction): a complaint's bundle was ~15 reads of two round trips each, one after another.
 */
const one = async <T>(db: Db, query: SQL) => (await preparedRows<T>(db, query))[0];

interface ItemRow {
  id: string;
  workspace_id: string;
  contact_id: string;
  campaign_id: string | null;
  label: string;
  confidence: number;
  reasons: string[];
  classifier: string | null;
  priority: string;
  due_at: string | null;
  message_id: string;
  channel: string;
  account: string | null;
  provider_message_id: string;
  identity_kind: string;
  text: string;
  media: unknown;
  delivery_id: string | null;
  sent_at: string;
  received_at: string;
}

async function deliverySection(tx: Db, deliveryId: string, options: EvidenceOptions) {
  const [delivery, attempts, receipts] = await Promise.all([
    one<{
      id: string;
      campaign_id: string;
      channel: string | null;
      state: string;
      provider_message_id: string | null;
      failure_class: string | null;
      suppression_reason: string | null;
      variant_id: string | null;
      variant_key: string | null;
      content: Content | null;
      channel_content: Record<string, Content> | null;
      name: string | null;
      attributes: Record<string, unknown>;
      channel_plan: ChannelPlanStep[];
      updated_at: string;
    }>(
      tx,
      sql`SELECT d.id::text, d.campaign_id::text, d.channel, d.state, d.provider_message_id, d.failure_class,
                 d.suppression_reason, d.variant_id::text, v.key AS variant_key, v.content, v.channel_content, c.name, c.attributes,
                 k.channel_plan, ${iso('d.updated_at')} AS updated_at
          FROM deliveries d JOIN contacts c ON c.id = d.contact_id JOIN campaigns k ON k.id = d.campaign_id
          LEFT JOIN variants v ON v.id = d.variant_id
          WHERE d.id = ${Number(deliveryId)}::bigint`,
    ),
    preparedRows(
      tx,
      sql`SELECT attempt, channel, account, status, provider_message_id AS "providerMessageId",
                 failure_class AS "failureClass", error, note, batch_id::text AS "batchId", ${iso('at')} AS at
          FROM delivery_attempts WHERE delivery_id = ${Number(deliveryId)}::bigint ORDER BY id`,
    ),
    preparedRows(
      tx,
      sql`SELECT id::text, type, payload, ${iso('at')} AS at FROM events
          WHERE delivery_id = ${Number(deliveryId)}::bigint ORDER BY id`,
    ),
  ]);
  if (!delivery) return null;
  const step = delivery.channel ? planStepOf(delivery.channel_plan, delivery.channel) : undefined;
  const sent = delivery.content
    ? sentContent(
        { content: delivery.content, channelContent: delivery.channel_content ?? {} },
        delivery.channel_plan,
        delivery.channel ?? '',
      )
    : undefined;
  return {
    id: delivery.id,
    campaignId: delivery.campaign_id,
    channel: delivery.channel,
    state: delivery.state,
    providerMessageId: delivery.provider_message_id,
    failureClass: delivery.failure_class,
    suppressionReason: delivery.suppression_reason,
    updatedAt: delivery.updated_at,
    variant: delivery.variant_id ? { id: delivery.variant_id, key: delivery.variant_key } : null,
    // Rendered as the send path renders it, with the contact's name and attributes as they are now.
    contentAsSent: sent
      ? contentAsSent(
          sent.content,
          { deliveryId: delivery.id, name: delivery.name, attributes: delivery.attributes },
          step?.trackLinks,
          options.linkTracker,
          sent.linkBase,
        )
      : null,
    attempts,
    receipts,
  };
}

async function campaignSection(tx: Db, campaignId: string) {
  const id = Number(campaignId);
  const [campaign, review, approvals, findings] = await Promise.all([
    one<Record<string, unknown>>(
      tx,
      sql`SELECT id::text, name, state, audience, channel_plan AS "channelPlan", run_of_id::text AS "runOf",
                 ${iso('created_at')} AS "createdAt", ${iso('started_at')} AS "startedAt",
                 ${iso('finished_at')} AS "finishedAt"
          FROM campaigns WHERE id = ${id}::bigint`,
    ),
    one(
      tx,
      sql`SELECT round, status, steps, approved_steps AS "approvedSteps", reasons,
                 ${iso('submitted_at')} AS "submittedAt", ${iso('updated_at')} AS "updatedAt"
          FROM reviews WHERE campaign_id = ${id}::bigint`,
    ),
    preparedRows(
      tx,
      sql`SELECT step, approver_key_id::text AS "approverKeyId", decision, comment, round,
                 ${iso('created_at')} AS at
          FROM approvals WHERE campaign_id = ${id}::bigint ORDER BY id`,
    ),
    preparedRows(
      tx,
      sql`SELECT rule, level, code, message, variant_id::text AS "variantId", channel,
                 span_start AS "spanStart", span_end AS "spanEnd", key, ${iso('created_at')} AS at
          FROM findings WHERE campaign_id = ${id}::bigint ORDER BY id`,
    ),
  ]);
  if (!campaign) return null;
  return { ...campaign, review: review ?? null, approvals, findings };
}

/** What the contact agreed to and when, as far as Qunfa knows it. */
async function consentSection(tx: Db, contactId: string) {
  const id = Number(contactId);
  const [contact, identities, suppressions, optOuts] = await Promise.all([
    one<Record<string, unknown>>(
      tx,
      sql`SELECT id::text, name, attributes, ${iso('created_at')} AS "createdAt", ${iso('erased_at')} AS "erasedAt"
          FROM contacts WHERE id = ${id}::bigint`,
    ),
    preparedRows(
      tx,
      sql`SELECT kind, value FROM contact_identities WHERE contact_id = ${id}::bigint ORDER BY kind, value`,
    ),
    preparedRows(
      tx,
      sql`SELECT reason, note, ${iso('created_at')} AS at FROM suppressions
          WHERE contact_id = ${id}::bigint ORDER BY reason`,
    ),
    preparedRows(
      tx,
      sql`SELECT campaign_id::text AS "campaignId", ${iso('created_at')} AS at FROM campaign_opt_outs
          WHERE contact_id = ${id}::bigint ORDER BY campaign_id`,
    ),
  ]);
  return { contact: contact ?? null, identities, suppressions, campaignOptOuts: optOuts };
}

async function auditSection(tx: Db, item: ItemRow, deliveryId: string | null) {
  const subjects: SQL[] = [
    sql`(subject_type = 'contact' AND subject_id = ${item.contact_id})`,
    sql`(subject_type = 'triage_item' AND subject_id = ${item.id})`,
    // Suppressions by reply are audited per workspace, naming the contacts.
    sql`(subject_type = 'workspace' AND details -> 'contactIds' @> ${JSON.stringify([Number(item.contact_id)])}::jsonb)`,
  ];
  if (item.campaign_id) {
    subjects.push(sql`(subject_type = 'campaign' AND subject_id = ${item.campaign_id})`);
  }
  if (deliveryId) subjects.push(sql`(subject_type = 'delivery' AND subject_id = ${deliveryId})`);
  return preparedRows(
    tx,
    sql`SELECT id::text, actor_kind AS "actorKind", actor_id AS "actorId", action, subject_type AS "subjectType",
               subject_id AS "subjectId", details, ${iso('at')} AS at
        FROM audit_log WHERE workspace_id = ${Number(item.workspace_id)}::bigint AND (${sql.join(subjects, sql` OR `)})
        ORDER BY id`,
  );
}

/**
 * Assembles the evidence bundle of a complaint item inside the transaction that classified it:
 * the reply, the content as the contact received it, every attempt and receipt of the delivery,
 * the campaign's review, approvals and findings, the consent record and the audit entries; stores
 * the document with its hash and signature, and records the hash in the audit log. Once per item.
 */
export async function assembleComplaintEvidence(
  tx: Db,
  itemId: number,
  at: Date,
  actor: Actor,
  options: EvidenceOptions,
): Promise<{ id: number; sha256: string } | undefined> {
  const item = await one<ItemRow>(
    tx,
    sql`SELECT t.id::text, t.workspace_id::text, t.contact_id::text, t.campaign_id::text, t.label, t.confidence,
               t.reasons, t.classifier, t.priority, ${iso('t.due_at')} AS due_at, m.id::text AS message_id,
               m.channel, m.account, m.provider_message_id, m.identity_kind, m.text, m.media,
               m.delivery_id::text, ${iso('m.sent_at')} AS sent_at, ${iso('m.received_at')} AS received_at
        FROM triage_items t JOIN inbound_messages m ON m.id = t.inbound_message_id
        WHERE t.id = ${itemId}::bigint`,
  );
  if (!item) return undefined;
  // The sections read independently of each other: all sent together.
  const [delivery, campaign, consent, audit] = await Promise.all([
    item.delivery_id ? deliverySection(tx, item.delivery_id, options) : null,
    item.campaign_id ? campaignSection(tx, item.campaign_id) : null,
    consentSection(tx, item.contact_id),
    auditSection(tx, item, item.delivery_id),
  ]);
  const document = canonicalJson({
    format: EVIDENCE_FORMAT,
    assembledAt: at.toISOString(),
    workspaceId: item.workspace_id,
    complaint: {
      triageItemId: item.id,
      label: item.label,
      confidence: item.confidence,
      reasons: item.reasons,
      classifier: item.classifier,
      priority: item.priority,
      dueAt: item.due_at,
    },
    reply: {
      inboundMessageId: item.message_id,
      channel: item.channel,
      account: item.account,
      providerMessageId: item.provider_message_id,
      fromIdentityKind: item.identity_kind,
      text: item.text,
      media: item.media,
      sentAt: item.sent_at,
      receivedAt: item.received_at,
    },
    delivery,
    campaign,
    consent,
    audit,
  });
  const sha256 = createHash('sha256').update(document).digest('hex');
  const signature = options.signingKey
    ? createHmac('sha256', options.signingKey).update(document).digest('hex')
    : null;
  const [bundle] = await tx
    .insert(evidenceBundles)
    .values({
      workspaceId: Number(item.workspace_id),
      triageItemId: itemId,
      contactId: Number(item.contact_id),
      campaignId: item.campaign_id === null ? null : Number(item.campaign_id),
      deliveryId: item.delivery_id === null ? null : Number(item.delivery_id),
      document,
      sha256,
      signature,
      createdAt: at,
    })
    .onConflictDoNothing()
    .returning({ id: evidenceBundles.id });
  if (!bundle) return undefined;
  await writeAudit(tx, {
    workspaceId: item.workspace_id,
    actor,
    action: 'complaint.evidence_assembled',
    subjectType: 'triage_item',
    subjectId: item.id,
    details: { bundleId: bundle.id, sha256, signed: signature !== null, format: EVIDENCE_FORMAT },
    at,
  });
  return { id: bundle.id, sha256 };
}
