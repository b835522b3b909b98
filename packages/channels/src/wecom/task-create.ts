import type { OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { findOrphanTasks, type OrphanTask } from './customer-reconcile.js';
import { type ClassifiedFailure, classifyWecomError, WecomNetworkError } from './errors.js';
import type { WecomConfig } from './options.js';
import { addTask, type ChatType, TASK_WINDOW_MS } from './tasks.js';

/** What creates tasks: the customer-contact credential's client. */
export interface TaskSender {
  config: WecomConfig;
  client: WecomClient;
  /** The customer-contact credential's label (keys its uploaded media). */
  label: string;
}

/** One delivery of a chunk and its target: a customer's `external_userid` or a group's `chat_id`. */
export interface TaskTarget {
  message: OutboundMessage;
  target: string;
}

/** A delivery within a task: `cm:<msgid>:<sender>:<external_userid or chat_id>`. */
export const customerMessageId = (msgid: string, sender: string, target: string) =>
  `cm:${msgid}:${sender}:${target}`;

/**
 * What became of one chunk, kept so that the chunk sent again (a batch re-run after a crash)
 * makes no second task: the task created (`msgid`, empty when none was), WeCom's `fail_list`,
 * targets found in a task an earlier, lost call made (`adopted`), and why the others were not sent.
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

export interface TaskCall {
  chatType: ChatType;
  /** The chunk's key: the batch's idempotency key, content, sender and chunk number. */
  origin: string;
  campaignId: string;
  /** The campaign step's confirmation deadline, else the channel's; undefined: none. */
  deadlineMs: number | undefined;
  /** The staff member who sends: a customer's follow user, or a group's owner. */
  userid: string;
  fingerprint: string;
  /** `text` and `attachments`, media uploaded. */
  body: Record<string, unknown>;
  /** Why each delivery goes through `userid` (`SendOutcome.via.reason`), by delivery id. */
  reasons: ReadonlyMap<string, string>;
}

/**
 * Sends one chunk (one sender, at most a task's worth of targets) as one `add_msg_template` task,
 * or reads what an earlier run of the same chunk did: each delivery `awaiting_confirmation`
 * through the sender, failed when WeCom's `fail_list` names it or no task was made, uncertain
 * when WeCom could not be asked whether a lost call made one.
 */
export async function sendTaskChunk(
  sender: TaskSender,
  ctx: SendContext,
  call: TaskCall,
  chunk: readonly TaskTarget[],
): Promise<SendOutcome[]> {
  const record =
    (await ctx.state.get<TaskRecord>(`task-call/${call.origin}`)) ??
    (await createTask(sender, ctx, call, chunk));
  if ('uncertain' in record)
    return chunk.map((m) => ({ id: m.message.id, status: 'uncertain' as const, error: record.uncertain }));
  const failedSet = new Set(record.failList);
  const what = call.chatType === 'group' ? 'not a group' : 'not a customer';
  return chunk.map((m): SendOutcome => {
    if (failedSet.has(m.target))
      return {
        id: m.message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: `WeCom fail_list: ${what} ${call.userid} can send to`,
      };
    const msgid = record.adopted?.[m.target] ?? record.msgid;
    if (msgid === '')
      return {
        id: m.message.id,
        status: 'failed',
        ...(record.unsent ?? { failure: 'unknown', error: 'no task was made' }),
      };
    return {
      id: m.message.id,
      status: 'sent',
      awaitingConfirmation: true,
      providerMessageId: customerMessageId(msgid, call.userid, m.target),
      via: { account: call.userid, reason: call.reasons.get(m.message.id) ?? '' },
    };
  });
}

/** `add_msg_template`'s body for the targets not in any task yet. */
function requestBody(call: TaskCall, targets: string[]): Record<string, unknown> {
  if (call.chatType === 'group')
    // allow_select is for customer (single) sends only; chat_id_list spares the owner choosing groups.
    return { chat_type: 'group', sender: call.userid, chat_id_list: targets, ...call.body };
  return {
    chat_type: 'single',
    external_userid: targets,
    sender: call.userid,
    allow_select: false,
    ...call.body,
  };
}

/**
 * Makes the task of one chunk, or finds the one an earlier call made. A chunk whose intent is on
 * record but whose answer is not (the worker died between the call and the write) first looks at
 * WeCom (`findOrphanTasks`) and adopts what it finds; an answer lost on the way back is looked for
 * at once. Only targets in no task are sent, so a re-run never makes a second task for anyone.
 * When WeCom cannot be asked, the chunk is uncertain: never sent blindly again.
 */
async function createTask(
  sender: TaskSender,
  ctx: SendContext,
  call: TaskCall,
  chunk: readonly TaskTarget[],
): Promise<TaskRecord | { uncertain: string }> {
  const { client } = sender;
  const { origin, userid } = call;
  const intentKey = `task-intent/${origin}`;
  const targets = new Set(chunk.map((m) => m.target));
  const adopted = new Map<string, OrphanTask>();
  const look = async (sinceMs: number) => {
    const found = await findOrphanTasks(client, ctx, {
      chatType: call.chatType,
      sinceMs,
      sender: userid,
      fingerprint: call.fingerprint,
      targets,
      origin,
    });
    for (const [target, task] of found) adopted.set(target, task);
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
      ctx.logger.warn('adopted mass-send tasks an earlier call made', {
        tasks: new Set([...adopted.values()].map((t) => t.msgid)).size,
      });
  }
  const rest = chunk.filter((m) => !adopted.has(m.target));
  let created: { msgid: string; failList: string[]; at: number } | undefined;
  let unsent: ClassifiedFailure | undefined;
  if (rest.length > 0) {
    const at = ctx.now().getTime();
    await ctx.state.set(intentKey, { at: intent?.at ?? at } satisfies TaskIntent, TASK_WINDOW_MS);
    try {
      const answer = await client.post(
        '/cgi-bin/externalcontact/add_msg_template',
        requestBody(
          call,
          rest.map((m) => m.target),
        ),
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
      chatType: call.chatType,
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
