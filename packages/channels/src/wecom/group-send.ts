import type { OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import type { WecomClient } from './client.js';
import type { CustomerBody } from './customer-content.js';
import { contentHashOf, failed, taskContent } from './customer-send.js';
import { classifyWecomError, WecomApiError } from './errors.js';
import { type GroupRecord, groupKey, readGroup } from './groups.js';
import { sweptSince } from './relations.js';
import { sendTaskChunk, type TaskSender, type TaskTarget } from './task-create.js';

/** `chat_id_list` takes at most 2,000 customer groups a task (创建企业群发). */
export const GROUP_TASK_MAX = 2000;

/** Messages of one batch to customer groups with the same message. */
export interface ChatGroup {
  key: string;
  body: CustomerBody;
  messages: { message: OutboundMessage; chatId: string }[];
}

/**
 * Creates the group mass-send tasks of one message: a customer group (客户群) is sent to by its
 * owner (群主), as the sync and `change_external_chat` recorded it, so one `add_msg_template` task
 * per owner (`chat_type: group`, the groups in `chat_id_list`, at most 2,000 a task). As with
 * customers, nothing reaches a group until the owner confirms in the WeCom client. A group whose
 * owner the channel does not know (never synced, or a callback said it changed) is read with
 * `groupchat/get` first; one WeCom does not know (40050), or that was dismissed, fails
 * `invalid_recipient` and is in no task.
 */
export async function sendChatGroup(
  sender: TaskSender,
  group: ChatGroup,
  batch: { idempotencyKey: string; campaignId: string; confirmationDeadlineMs?: number },
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { idempotencyKey, campaignId } = batch;
  const deadlineMs = batch.confirmationDeadlineMs ?? sender.config.confirmationDeadlineMs;
  const outcomes: SendOutcome[] = [];
  const byOwner = new Map<string, TaskTarget[]>();
  const reasons = new Map<string, string>();
  const records = await Promise.all(group.messages.map((m) => readGroup(ctx.state, m.chatId)));
  // A group the last complete sync did not list may be gone or have another owner: asked first.
  const since = await sweptSince(ctx.state);
  for (const [i, m] of group.messages.entries()) {
    let record = records[i]!;
    if (record.dismissed) {
      outcomes.push({
        id: m.message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: 'the customer group was dismissed',
      });
      continue;
    }
    if (!record.owner || record.ownerStale || (record.seenAt ?? 0) < since) {
      const fresh = await refreshGroup(sender.client, record, ctx);
      if ('failure' in fresh) {
        outcomes.push({ id: m.message.id, status: 'failed', ...fresh.failure });
        continue;
      }
      record = fresh;
    }
    const owner = record.owner!;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), { message: m.message, target: m.chatId }]);
    reasons.set(m.message.id, 'the group owner');
  }
  if (byOwner.size === 0) return outcomes;
  const content = await taskContent(sender, group.body, ctx);
  if ('failure' in content) {
    const ids = [...byOwner.values()].flatMap((chats) => chats.map((m) => m.message.id));
    return [...outcomes, ...failed(ids, content.failure)];
  }
  const contentHash = contentHashOf(group.key);
  for (const [owner, chats] of [...byOwner].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < chats.length; i += GROUP_TASK_MAX) {
      const chunk = chats.slice(i, i + GROUP_TASK_MAX);
      // `g/` keeps a group chunk's key apart from a customer chunk of the same sender and batch.
      const origin = `${idempotencyKey}/${contentHash}/g/${owner}/${i / GROUP_TASK_MAX}`;
      outcomes.push(
        ...(await sendTaskChunk(
          sender,
          ctx,
          { chatType: 'group', origin, campaignId, deadlineMs, userid: owner, reasons, ...content },
          chunk,
        )),
      );
    }
  }
  return outcomes;
}

/** A group's owner, name and members read again (`groupchat/get`), kept in the shared state. */
async function refreshGroup(
  client: WecomClient,
  record: GroupRecord,
  ctx: SendContext,
): Promise<GroupRecord | { failure: ReturnType<typeof classifyWecomError> }> {
  try {
    const detail = await client.post(
      '/cgi-bin/externalcontact/groupchat/get',
      { chat_id: record.chatId, need_name: 1 },
      ctx,
    );
    const g = (detail.group_chat ?? {}) as Record<string, unknown>;
    const owner = String(g.owner ?? '');
    if (owner === '')
      return { failure: { failure: 'invalid_recipient', error: 'WeCom names no owner for the group' } };
    const fresh: GroupRecord = {
      ...(await readGroup(ctx.state, record.chatId)),
      name: String(g.name ?? ''),
      owner,
      members: Array.isArray(g.member_list) ? g.member_list.length : 0,
      ownerStale: false,
      seenAt: ctx.now().getTime(),
    };
    await ctx.state.set(groupKey(record.chatId), fresh);
    return fresh;
  } catch (error) {
    if (error instanceof WecomApiError && error.errcode === 40050)
      return {
        failure: { failure: 'invalid_recipient', error: 'WeCom knows no such customer group (40050)' },
      };
    return { failure: classifyWecomError(error) };
  }
}
