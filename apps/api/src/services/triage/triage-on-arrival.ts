import { type Actor, replyActionsFor, triageOf, triagePolicyWith } from '@qunfa/core';
import { inArray, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { campaignOptOuts, triageItems, workspaces } from '../../db/schema/index.js';
import { recordAudienceChanges } from '../../store/audience-changes.js';
import { writeAudit } from '../../store/audit.js';
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
): Promise<ArrivalsApplied> {
  const suppressed = { unsubscribed: 0, complained: 0 };
  const unsubscribedContacts: number[] = [];
  if (arrivals.length === 0) return { items: [], suppressed, unsubscribedContacts };
  const workspaceIds = [...new Set(arrivals.map((a) => a.workspaceId))];
  const settings = await tx
    .select({
      id: workspaces.id,
      triagePolicy: workspaces.triagePolicy,
      followUpTemplateId: workspaces.followUpTemplateId,
    })
    .from(workspaces)
    .where(inArray(workspaces.id, workspaceIds));
  const policies = new Map(settings.map((w) => [w.id, triagePolicyWith(w.triagePolicy)]));
  const followUpTemplates = new Map(settings.map((w) => [w.id, w.followUpTemplateId]));
  const items = await tx
    .insert(triageItems)
    .values(
      arrivals.map((a) => {
        const { priority, dueAt } = triageOf(a.classified.label, now, policies.get(a.workspaceId)!);
        return {
          workspaceId: a.workspaceId,
          inboundMessageId: a.inboundMessageId,
          contactId: a.contactId,
          campaignId: a.campaignId,
          label: a.classified.label,
          confidence: a.classified.confidence,
          reasons: a.classified.reasons,
          classifier: a.classified.classifier,
          priority,
          dueAt,
          // The template as set now: a later change of the setting does not reach back.
          followUpTemplateId: replyActionsFor(a.classified.label).followUp
            ? (followUpTemplates.get(a.workspaceId) ?? null)
            : null,
          createdAt: now,
          updatedAt: now,
        };
      }),
    )
    .returning({
      id: triageItems.id,
      workspaceId: triageItems.workspaceId,
      inboundMessageId: triageItems.inboundMessageId,
      campaignId: triageItems.campaignId,
      label: triageItems.label,
      priority: triageItems.priority,
      dueAt: triageItems.dueAt,
    });

  const optOuts = arrivals.filter(
    (a) => a.campaignId !== null && replyActionsFor(a.classified.label).optOutOfCampaign,
  );
  if (optOuts.length > 0) {
    await tx
      .insert(campaignOptOuts)
      .values(
        optOuts.map((a) => ({
          campaignId: a.campaignId!,
          contactId: a.contactId,
          workspaceId: a.workspaceId,
          inboundMessageId: a.inboundMessageId,
          createdAt: now,
        })),
      )
      .onConflictDoNothing();
  }

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
