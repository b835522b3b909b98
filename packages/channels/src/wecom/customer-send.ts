import { createHash } from 'node:crypto';
import { type OutboundMessage, pickSender, type SendContext, type SendOutcome } from '@qunfa/core';
import type { WecomClient } from './client.js';
import type { CustomerBody } from './customer-content.js';
import { contentFingerprint, findOrphanTasks, type OrphanTask } from './customer-reconcile.js';
import { type ClassifiedFailure, classifyWecomError, WecomNetworkError } from './errors.js';
import { MediaUnavailableError, mediaIdFor } from './media.js';
import type { WecomConfig } from './options.js';
import { stateRelations } from './relations.js';
import { addTask, TASK_WINDOW_MS } from './tasks.js';

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

/**
 * What became of one chunk, kept so that the chunk sent again (a batch re-run after a crash)
 * makes no second task: the task created (`msgid`, empty when none was), WeCom's `fail_list`,
 * customers found in a task an earlier, lost call made (`adopted`), and why the others were not sent.
 */
interface TaskRecord {
  msgid: string;
  failList: string[];
  adopted?: Record<string, string>;
  unsent?: ClassifiedFailure;
}

/** Written just before `add_msg_template`, deleted once its answer is recorded. */
interface TaskIntent {
  at: number;
}

const RECORD_TTL_MS = 7 * 24 * 3600_000;

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
  batch: { idempotencyKey: string; campaignId: string; confirmationDeadlineMs?: number },
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { idempotencyKey, campaignId } = batch;
  const deadlineMs = batch.confirmationDeadlineMs ?? sender.config.confirmationDeadlineMs;
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
  const fingerprint = contentFingerprint(group.body.text, attachments);
  for (const [userid, { members }] of [...bySender].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < members.length; i += CUSTOMER_TASK_MAX) {
      const chunk = members.slice(i, i + CUSTOMER_TASK_MAX);
      const origin = `${idempotencyKey}/${contentHash}/${userid}/${i / CUSTOMER_TASK_MAX}`;
      const record =
        (await ctx.state.get<TaskRecord>(`task-call/${origin}`)) ??
        (await createTask(sender, ctx, {
          origin,
          campaignId,
          deadlineMs,
          userid,
          chunk,
          fingerprint,
          body: {
            ...(group.body.text ? { text: group.body.text } : {}),
            ...(attachments.length ? { attachments } : {}),
          },
        }));
      if ('uncertain' in record) {
        outcomes.push(
          ...chunk.map((m) => ({ id: m.message.id, status: 'uncertain' as const, error: record.uncertain })),
        );
        continue;
      }
      const failedSet = new Set(record.failList);
      for (const m of chunk) {
        const msgid =
          record.adopted?.[m.externalUserId] ?? (failedSet.has(m.externalUserId) ? '' : record.msgid);
        if (failedSet.has(m.externalUserId)) {
          outcomes.push({
            id: m.message.id,
            status: 'failed',
            failure: 'invalid_recipient',
            error: `WeCom fail_list: not a customer ${userid} can send to`,
          });
        } else if (msgid === '') {
          outcomes.push({
            id: m.message.id,
            status: 'failed',
            ...(record.unsent ?? { failure: 'unknown', error: 'no task was made' }),
          });
        } else {
          outcomes.push({
            id: m.message.id,
            status: 'sent',
            awaitingConfirmation: true,
            providerMessageId: customerMessageId(msgid, userid, m.externalUserId),
            via: { account: userid, reason: reasons.get(m.message.id) ?? '' },
          });
        }
      }
    }
  }
  return outcomes;
}

/**
 * Makes the task of one chunk, or finds the one an earlier call made. A chunk whose intent is on
 * record but whose answer is not (the worker died between the call and the write) first looks at
 * WeCom (`findOrphanTasks`) and adopts what it finds; an answer lost on the way back is looked for
 * at once. Only customers in no task are sent, so a re-run never makes a second task for anyone.
 * When WeCom cannot be asked, the chunk is uncertain: never sent blindly again.
 */
async function createTask(
  sender: CustomerSender,
  ctx: SendContext,
  call: {
    origin: string;
    campaignId: string;
    /** The campaign step's confirmation deadline, else the channel's; undefined: none. */
    deadlineMs: number | undefined;
    userid: string;
    chunk: CustomerGroup['messages'];
    fingerprint: string;
    body: Record<string, unknown>;
  },
): Promise<TaskRecord | { uncertain: string }> {
  const { client } = sender;
  const { origin, userid, chunk } = call;
  const intentKey = `task-intent/${origin}`;
  const customers = new Set(chunk.map((m) => m.externalUserId));
  const adopted = new Map<string, OrphanTask>();
  const look = async (sinceMs: number) => {
    const found = await findOrphanTasks(client, ctx, {
      sinceMs,
      sender: userid,
      fingerprint: call.fingerprint,
      customers,
      origin,
    });
    for (const [external, task] of found) adopted.set(external, task);
  };
  const intent = await ctx.state.get<TaskIntent>(intentKey);
  if (intent) {
    try {
      await look(intent.at);
    } catch (error) {
      return {
        uncertain: `a call for this chunk may have made a task, and WeCom could not be asked: ${messageOf(error)}`,
      };
    }
    if (adopted.size > 0)
      ctx.logger.warn('adopted customer tasks an earlier call made', {
        tasks: new Set([...adopted.values()].map((t) => t.msgid)).size,
      });
  }
  const rest = chunk.filter((m) => !adopted.has(m.externalUserId));
  let created: { msgid: string; failList: string[]; at: number } | undefined;
  let unsent: ClassifiedFailure | undefined;
  if (rest.length > 0) {
    const at = ctx.now().getTime();
    await ctx.state.set(intentKey, { at: intent?.at ?? at } satisfies TaskIntent, TASK_WINDOW_MS);
    try {
      const answer = await client.post(
        '/cgi-bin/externalcontact/add_msg_template',
        {
          chat_type: 'single',
          external_userid: rest.map((m) => m.externalUserId),
          sender: userid,
          allow_select: false,
          ...call.body,
        },
        ctx,
      );
      created = {
        msgid: String(answer.msgid ?? ''),
        failList: Array.isArray(answer.fail_list) ? answer.fail_list.map(String) : [],
        at,
      };
    } catch (error) {
      unsent = classifyWecomError(error, { shared: rest.length > 1 });
      if (error instanceof WecomNetworkError) {
        // No answer: WeCom may have made the task. Look before the engine retries anyone.
        try {
          await look(intent?.at ?? at);
        } catch (again) {
          return {
            uncertain: `the answer to add_msg_template was lost, and WeCom could not be asked: ${messageOf(again)}`,
          };
        }
      }
    }
  }
  const tasks = new Map<string, { createdAt: number; targets: number }>();
  for (const t of adopted.values()) {
    const entry = tasks.get(t.msgid) ?? { createdAt: t.createdAt, targets: 0 };
    entry.targets++;
    tasks.set(t.msgid, entry);
  }
  if (created?.msgid)
    tasks.set(created.msgid, { createdAt: created.at, targets: rest.length - created.failList.length });
  // The tasks first (so they are polled and can be cancelled), then the record, then the intent:
  // a crash between two of these leaves a state the next run reads correctly.
  for (const [msgid, t] of tasks) {
    await addTask(ctx.state, {
      msgid,
      sender: userid,
      chatType: 'single',
      createdAt: t.createdAt,
      confirmed: false,
      cancelled: false,
      closed: false,
      polls: 0,
      nextPollAt: ctx.now().getTime(),
      reminders: [],
      campaignId: call.campaignId,
      origin,
      targets: t.targets,
      ...(call.deadlineMs === undefined ? {} : { deadlineAt: t.createdAt + call.deadlineMs }),
    });
  }
  const record: TaskRecord = {
    msgid: created?.msgid ?? '',
    failList: created?.failList ?? [],
    ...(adopted.size > 0 ? { adopted: Object.fromEntries([...adopted].map(([e, t]) => [e, t.msgid])) } : {}),
    ...(unsent ? { unsent } : {}),
  };
  await ctx.state.set(`task-call/${origin}`, record, RECORD_TTL_MS);
  await ctx.state.delete(intentKey);
  return record;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
