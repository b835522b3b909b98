import { createHash } from 'node:crypto';
import { type OutboundMessage, pickSender, type SendContext, type SendOutcome } from '@qunfa/core';
import type { WecomClient } from './client.js';
import type { CustomerBody } from './customer-content.js';
import { type ClassifiedFailure, classifyWecomError } from './errors.js';
import { MediaUnavailableError, mediaIdFor } from './media.js';
import type { WecomConfig } from './options.js';
import { stateRelations } from './relations.js';
import { addTask } from './tasks.js';

/** `external_userid` takes at most 10,000 customers a task (创建企业群发). */
export const CUSTOMER_TASK_MAX = 10_000;

/** Messages of one batch with the same customer message. */
export interface CustomerGroup {
  key: string;
  body: CustomerBody;
  messages: { message: OutboundMessage; externalUserId: string }[];
}

export interface CustomerSender {
  config: WecomConfig;
  client: WecomClient;
  /** The customer-contact credential's label (keys its uploaded media). */
  label: string;
}

/** A customer's delivery within a task: `cm:<msgid>:<sender>:<external_userid>`. */
export const customerMessageId = (msgid: string, sender: string, external: string) =>
  `cm:${msgid}:${sender}:${external}`;

/** What a task call answered, kept so a batch sent again reuses it instead of making a second task. */
interface TaskRecord {
  msgid: string;
  failList: string[];
}

const failed = (ids: readonly string[], f: ClassifiedFailure): SendOutcome[] =>
  ids.map((id) => ({ id, status: 'failed', ...f }));

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
  idempotencyKey: string,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { config, client, label } = sender;
  const outcomes: SendOutcome[] = [];
  const relations = await stateRelations(ctx.state).get(group.messages.map((m) => m.externalUserId));
  const bySender = new Map<string, { members: CustomerGroup['messages'] }>();
  const reasons = new Map<string, string>();
  for (const m of group.messages) {
    const candidates = (relations.get(m.externalUserId) ?? []).map((r) => ({
      account: r.userid,
      addedAt: new Date(r.addedAt * 1000),
      lastTalkAt: r.lastTalkAt === undefined ? null : new Date(r.lastTalkAt * 1000),
      removed: r.removed !== undefined,
    }));
    const choice = pickSender(candidates, config.pinnedSenders);
    if (!choice) {
      outcomes.push({
        id: m.message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: 'no staff member has this customer (any more)',
      });
      continue;
    }
    const entry = bySender.get(choice.account) ?? { members: [] };
    entry.members.push(m);
    bySender.set(choice.account, entry);
    reasons.set(m.message.id, choice.reason);
  }

  const media = new Map<string, string>();
  try {
    for (const a of group.body.attachments) {
      if (a.media) media.set(a.msgtype, await mediaIdFor(client, label, a.media, ctx, config));
    }
  } catch (error) {
    const ids = [...bySender.values()].flatMap((e) => e.members.map((m) => m.message.id));
    const f =
      error instanceof MediaUnavailableError
        ? { failure: 'content_rejected' as const, error: error.message }
        : classifyWecomError(error, { shared: true });
    return [...outcomes, ...failed(ids, f)];
  }
  const attachments = group.body.attachments.map((a) => ({
    msgtype: a.msgtype,
    [a.msgtype]: { ...a.part, ...(a.media ? { media_id: media.get(a.msgtype) } : {}) },
  }));

  const contentHash = createHash('sha256').update(group.key).digest('hex').slice(0, 16);
  for (const [userid, { members }] of [...bySender].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < members.length; i += CUSTOMER_TASK_MAX) {
      const chunk = members.slice(i, i + CUSTOMER_TASK_MAX);
      const recordKey = `task-call/${idempotencyKey}/${contentHash}/${userid}/${i / CUSTOMER_TASK_MAX}`;
      let record = await ctx.state.get<TaskRecord>(recordKey);
      if (!record) {
        try {
          const answer = await client.post(
            '/cgi-bin/externalcontact/add_msg_template',
            {
              chat_type: 'single',
              external_userid: chunk.map((m) => m.externalUserId),
              sender: userid,
              allow_select: false,
              ...(group.body.text ? { text: group.body.text } : {}),
              ...(attachments.length ? { attachments } : {}),
            },
            ctx,
          );
          record = {
            msgid: String(answer.msgid ?? ''),
            failList: Array.isArray(answer.fail_list) ? answer.fail_list.map(String) : [],
          };
        } catch (error) {
          outcomes.push(
            ...failed(
              chunk.map((m) => m.message.id),
              classifyWecomError(error, { shared: chunk.length > 1 }),
            ),
          );
          continue;
        }
        await ctx.state.set(recordKey, record, 7 * 24 * 3600_000);
        const now = ctx.now().getTime();
        await addTask(ctx.state, {
          msgid: record.msgid,
          sender: userid,
          chatType: 'single',
          createdAt: now,
          confirmed: false,
          cancelled: false,
          closed: false,
          polls: 0,
          nextPollAt: now,
          reminders: [],
        });
      }
      const failedSet = new Set(record.failList);
      for (const m of chunk) {
        if (failedSet.has(m.externalUserId)) {
          outcomes.push({
            id: m.message.id,
            status: 'failed',
            failure: 'invalid_recipient',
            error: `WeCom fail_list: not a customer ${userid} can send to`,
          });
        } else {
          outcomes.push({
            id: m.message.id,
            status: 'sent',
            awaitingConfirmation: true,
            providerMessageId: customerMessageId(record.msgid, userid, m.externalUserId),
            via: { account: userid, reason: reasons.get(m.message.id) ?? '' },
          });
        }
      }
    }
  }
  return outcomes;
}
