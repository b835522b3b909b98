import { createHash } from 'node:crypto';
import { type OutboundMessage, pickSender, type SendContext, type SendOutcome } from '@qunfa/core';
import type { CustomerBody } from './customer-content.js';
import { contentFingerprint } from './customer-reconcile.js';
import { type ClassifiedFailure, classifyWecomError } from './errors.js';
import { MediaUnavailableError, mediaIdFor } from './media.js';
import { stateRelations } from './relations.js';
import { sendTaskChunk, type TaskSender, type TaskTarget } from './task-create.js';

export { customerMessageId } from './task-create.js';

/** `external_userid` takes at most 10,000 customers a task (创建企业群发). */
export const CUSTOMER_TASK_MAX = 10_000;

/** Messages of one batch with the same customer message. */
export interface CustomerGroup {
  key: string;
  body: CustomerBody;
  messages: { message: OutboundMessage; externalUserId: string }[];
}

export type CustomerSender = TaskSender;

export const failed = (ids: readonly string[], f: ClassifiedFailure): SendOutcome[] =>
  ids.map((id) => ({ id, status: 'failed', ...f }));

/**
 * A message's `text` and `attachments` as `add_msg_template` takes them, media uploaded (once per
 * credential, reused until it expires), and its fingerprint in `get_groupmsg_list_v2`; or the
 * failure every delivery of the message gets when a medium cannot be had.
 */
export async function taskContent(
  sender: TaskSender,
  body: CustomerBody,
  ctx: SendContext,
): Promise<{ body: Record<string, unknown>; fingerprint: string } | { failure: ClassifiedFailure }> {
  const media = new Map<string, string>();
  try {
    for (const a of body.attachments) {
      if (a.media)
        media.set(a.msgtype, await mediaIdFor(sender.client, sender.label, a.media, ctx, sender.config));
    }
  } catch (error) {
    return {
      failure:
        error instanceof MediaUnavailableError
          ? { failure: 'content_rejected' as const, error: error.message }
          : classifyWecomError(error, { shared: true }),
    };
  }
  const attachments = body.attachments.map((a) => ({
    msgtype: a.msgtype,
    [a.msgtype]: { ...a.part, ...(a.media ? { media_id: media.get(a.msgtype) } : {}) },
  }));
  return {
    body: {
      ...(body.text ? { text: body.text } : {}),
      ...(attachments.length ? { attachments } : {}),
    },
    fingerprint: contentFingerprint(body.text, attachments),
  };
}

/** The first 16 hex digits of a message's key: names its chunks among a batch's messages. */
export const contentHashOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Creates the customer mass-send tasks of one group: each customer goes through the staff member
 * `pickSender` chooses from the relations (pinned, last talked, first added), one
 * `add_msg_template` task per sender of up to 10,000 customers (`chat_type: single`,
 * `allow_select: false`). Nothing reaches a customer until the sender confirms in the WeCom
 * client: the deliveries are `awaiting_confirmation`, their sender on the attempt. `fail_list`
 * fails exactly those customers. A task's answer is kept under the batch's idempotency key, so a
 * batch sent again after a crash creates no second task.
 */
export async function sendCustomerGroup(
  sender: CustomerSender,
  group: CustomerGroup,
  batch: { idempotencyKey: string; campaignId: string; confirmationDeadlineMs?: number },
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { idempotencyKey, campaignId } = batch;
  const deadlineMs = batch.confirmationDeadlineMs ?? sender.config.confirmationDeadlineMs;
  const outcomes: SendOutcome[] = [];
  const relations = await stateRelations(ctx.state).get(group.messages.map((m) => m.externalUserId));
  const bySender = new Map<string, TaskTarget[]>();
  const reasons = new Map<string, string>();
  for (const m of group.messages) {
    const candidates = (relations.get(m.externalUserId) ?? []).map((r) => ({
      account: r.userid,
      addedAt: new Date(r.addedAt * 1000),
      lastTalkAt: r.lastTalkAt === undefined ? null : new Date(r.lastTalkAt * 1000),
      removed: r.removed !== undefined,
    }));
    const choice = pickSender(candidates, sender.config.pinnedSenders);
    if (!choice) {
      outcomes.push({
        id: m.message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: 'no staff member has this customer (any more)',
      });
      continue;
    }
    bySender.set(choice.account, [
      ...(bySender.get(choice.account) ?? []),
      { message: m.message, target: m.externalUserId },
    ]);
    reasons.set(m.message.id, choice.reason);
  }

  const content = await taskContent(sender, group.body, ctx);
  if ('failure' in content) {
    const ids = [...bySender.values()].flatMap((members) => members.map((m) => m.message.id));
    return [...outcomes, ...failed(ids, content.failure)];
  }
  const contentHash = contentHashOf(group.key);
  for (const [userid, members] of [...bySender].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < members.length; i += CUSTOMER_TASK_MAX) {
      const chunk = members.slice(i, i + CUSTOMER_TASK_MAX);
      const origin = `${idempotencyKey}/${contentHash}/${userid}/${i / CUSTOMER_TASK_MAX}`;
      outcomes.push(
        ...(await sendTaskChunk(
          sender,
          ctx,
          { chatType: 'single', origin, campaignId, deadlineMs, userid, reasons, ...content },
          chunk,
        )),
      );
    }
  }
  return outcomes;
}
