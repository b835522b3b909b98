import { type Actor, replyActionsFor, triageOf, triagePolicyWith } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../../db/database.js';
import { recordAudienceChanges } from '../../store/audience-changes.js';
import { writeAudit } from '../../store/audit.js';
import { intArrayLiteral, textArrayLiteral } from '../../store/pg-array.js';
import { assembleComplaintEvidence, type EvidenceOptions } from '../evidence/assemble-evidence.js';
import type { ClassifiedReply } from './classify-reply.js';

/** A newly stored inbound message with its classification. */
export interface Arrival {
  inboundMessageId: number;
  workspaceId: number;
  contactId: number;
  campaignId: number | null;
  channel: string;
  /** An unsubscribe reply ("TD") by the keyword check, whatever the classifier said. */
  unsubscribes: boolean;
  classified: ClassifiedReply;
}

const suppressionOf = (a: Arrival) =>
  a.unsubscribes ? 'unsubscribed' : replyActionsFor(a.classified.label).suppress;

export interface ArrivalsApplied {
  items: {
    id: number;
    workspaceId: number;
    inboundMessageId: number;
    campaignId: number | null;
    label: string;
    priority: string;
    dueAt: Date | null;
  }[];
  /** Contacts newly suppressed, by reason. */
  suppressed: { unsubscribed: number; complained: number };
  /** The contacts newly suppressed as unsubscribed. */
  unsubscribedContacts: number[];
}

/** A workspace's triage settings, as `applyArrivals` reads them. */
export interface TriageSettings {
  id: number;
  triagePolicy: Record<string, { priority?: string; replyWithinMinutes?: number | null }>;
  followUpTemplateId: number | null;
}

/**
 * The triage settings of `workspaceIds`, one prepared statement: read before the messages'
 * insert returns (sent with it, see recordInbound), since they do not depend on it.
 */
export async function readTriageSettings(tx: Db, workspaceIds: readonly number[]): Promise<TriageSettings[]> {
  const found = await preparedRows<{
    id: number | string;
    triage_policy: TriageSettings['triagePolicy'] | string;
    follow_up_template_id: number | string | null;
  }>(
    tx,
    sql`SELECT id, triage_policy, follow_up_template_id FROM workspaces
        WHERE id = ANY(${intArrayLiteral([...new Set(workspaceIds)])}::bigint[])`,
  );
  return found.map((w) => ({
    id: Number(w.id),
    triagePolicy: typeof w.triage_policy === 'string' ? JSON.parse(w.triage_policy) : w.triage_policy,
    followUpTemplateId: w.follow_up_template_id === null ? null : Number(w.follow_up_template_id),
  }));
}

/**
 * Inside the transaction that stored the messages: one triage item each (priority and deadline
 * from its workspace's policy), complainers and unsubscribers suppressed, and the contact opted
 * out of the attributed campaign's follow-ups where the class says so (not interested, complaint);
 * an interested reply's item notes the workspace's follow-up template, run afterwards by
 * `runPendingFollowUps`; a complaint's evidence bundle is assembled, its hash audited.
 */
export async function applyArrivals(
  tx: Db,
  arrivals: readonly Arrival[],
  now: Date,
  actor: Actor,
  evidence: EvidenceOptions = {},
  /** The workspaces' settings, when the caller read them already (`readTriageSettings`). */
  settingsRead?: Promise<TriageSettings[]>,
): Promise<ArrivalsApplied> {
  const suppressed = { unsubscribed: 0, complained: 0 };
  const unsubscribedContacts: number[] = [];
  if (arrivals.length === 0) return { items: [], suppressed, unsubscribedContacts };
  const workspaceIds = [...new Set(arrivals.map((a) => a.workspaceId))];
  const settings = await (settingsRead ?? readTriageSettings(tx, workspaceIds));
  const policies = new Map(settings.map((w) => [w.id, triagePolicyWith(w.triagePolicy)]));
  const followUpTemplates = new Map(settings.map((w) => [w.id, w.followUpTemplateId]));
  const rowsOf = arrivals.map((a) => {
    const { priority, dueAt } = triageOf(a.classified.label, now, policies.get(a.workspaceId)!);
    return {
      a,
      priority,
      dueAt,
      // The template as set now: a later change of the setting does not reach back.
      followUpTemplateId: replyActionsFor(a.classified.label).followUp
        ? (followUpTemplates.get(a.workspaceId) ?? null)
        : null,
    };
  });
  const optOuts = arrivals.filter(
    (a) => a.campaignId !== null && replyActionsFor(a.classified.label).optOutOfCampaign,
  );
  // The items and the opt-outs are independent of each other: sent together (pipelined, one
  // round trip), as prepared statements (their texts never vary).
  const [inserted] = await Promise.all([
    preparedRows<{
      id: number | string;
      workspace_id: number | string;
      inbound_message_id: number | string;
      campaign_id: number | string | null;
      label: string;
      priority: string;
      due_at: Date | string | null;
    }>(
      tx,
      sql`INSERT INTO triage_items (workspace_id, inbound_message_id, contact_id, campaign_id, label, confidence,
                                    reasons, classifier, priority, due_at, follow_up_template_id, created_at, updated_at)
          SELECT workspace_id, inbound_message_id, contact_id, campaign_id, label, confidence, reasons, classifier,
                 priority, due_at, follow_up_template_id, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
          FROM unnest(${intArrayLiteral(rowsOf.map((r) => r.a.workspaceId))}::bigint[],
                      ${intArrayLiteral(rowsOf.map((r) => r.a.inboundMessageId))}::bigint[],
                      ${intArrayLiteral(rowsOf.map((r) => r.a.contactId))}::bigint[],
                      ${intArrayLiteral(rowsOf.map((r) => r.a.campaignId))}::bigint[],
                      ${textArrayLiteral(rowsOf.map((r) => r.a.classified.label))}::text[],
                      ${textArrayLiteral(rowsOf.map((r) => String(r.a.classified.confidence)))}::real[],
                      ${textArrayLiteral(rowsOf.map((r) => JSON.stringify(r.a.classified.reasons)))}::jsonb[],
                      ${textArrayLiteral(rowsOf.map((r) => r.a.classified.classifier))}::text[],
                      ${textArrayLiteral(rowsOf.map((r) => r.priority))}::text[],
                      ${textArrayLiteral(rowsOf.map((r) => r.dueAt?.toISOString() ?? null))}::timestamptz[],
                      ${intArrayLiteral(rowsOf.map((r) => r.followUpTemplateId))}::bigint[])
               WITH ORDINALITY AS t(workspace_id, inbound_message_id, contact_id, campaign_id, label, confidence,
                                    reasons, classifier, priority, due_at, follow_up_template_id, n)
          ORDER BY n
          RETURNING id, workspace_id, inbound_message_id, campaign_id, label, priority, due_at`,
    ),
    optOuts.length === 0
      ? undefined
      : preparedRows(
          tx,
          sql`INSERT INTO campaign_opt_outs (campaign_id, contact_id, workspace_id, inbound_message_id, created_at)
              SELECT campaign_id, contact_id, workspace_id, inbound_message_id, ${now.toISOString()}::timestamptz
              FROM unnest(${intArrayLiteral(optOuts.map((a) => a.campaignId))}::bigint[],
                          ${intArrayLiteral(optOuts.map((a) => a.contactId))}::bigint[],
                          ${intArrayLiteral(optOuts.map((a) => a.workspaceId))}::bigint[],
                          ${intArrayLiteral(optOuts.map((a) => a.inboundMessageId))}::bigint[])
                   WITH ORDINALITY AS o(campaign_id, contact_id, workspace_id, inbound_message_id, n)
              ORDER BY n
              ON CONFLICT DO NOTHING`,
        ),
  ]);
  const items = inserted.map((i) => ({
    id: Number(i.id),
    workspaceId: Number(i.workspace_id),
    inboundMessageId: Number(i.inbound_message_id),
    campaignId: i.campaign_id === null ? null : Number(i.campaign_id),
    label: i.label,
    priority: i.priority,
    dueAt: i.due_at === null ? null : new Date(i.due_at),
  }));

  for (const reason of ['unsubscribed', 'complained'] as const) {
    for (const workspaceId of workspaceIds) {
      const contacts = [
        ...new Set(
          arrivals
            .filter((a) => a.workspaceId === workspaceId && suppressionOf(a) === reason)
            .map((a) => a.contactId),
        ),
      ];
      if (contacts.length === 0) continue;
      const hit = await rows<{ id: number | string }>(
        tx,
        sql`INSERT INTO suppressions (workspace_id, contact_id, reason, note)
            SELECT ${workspaceId}::bigint, unnest(${`{${contacts.join(',')}}`}::bigint[]), ${reason}, 'reply'
            ON CONFLICT DO NOTHING RETURNING contact_id AS id`,
      );
      const ids = hit.map((h) => Number(h.id));
      suppressed[reason] += ids.length;
      if (reason === 'unsubscribed') unsubscribedContacts.push(...ids);
      if (ids.length === 0) continue;
      await recordAudienceChanges(tx, workspaceId, ids);
      await writeAudit(tx, {
        workspaceId,
        actor,
        action: `contacts.${reason}_by_reply`,
        at: now,
        subjectType: 'workspace',
        subjectId: workspaceId,
        details: { channel: arrivals[0]!.channel, count: ids.length, contactIds: ids },
      });
    }
  }
  // Last, so that the bundle's audit entries include the suppression just recorded.
  const itemOf = new Map(items.map((i) => [i.inboundMessageId, i.id]));
  for (const a of arrivals) {
    if (!replyActionsFor(a.classified.label).evidence) continue;
    await assembleComplaintEvidence(tx, itemOf.get(a.inboundMessageId)!, now, actor, evidence);
  }
  return { items, suppressed, unsubscribedContacts };
}
