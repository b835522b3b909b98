import { type DeliveryEvent, type PollContext, whenRecorded } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { recordCap } from './customer-cap.js';
import { WecomApiError } from './errors.js';
import { recordGroupReach } from './group-reach.js';
import type { WecomConfig } from './options.js';
import { customerMessageId } from './task-create.js';
import { type CustomerTask, closeTasks, openTaskIds, readTask, TASK_WINDOW_MS, updateTask } from './tasks.js';

/** Polls start `taskPollMs` after a task and double up to an hour: often in the first hours, then less. */
const MAX_POLL_MS = 3_600_000;
/** Tasks polled in one `pollReceipts` call at most; the rest wait for the next. */
const TASKS_PER_POLL = 50;
/**
 * A task nobody confirmed is cancelled this long before the query window closes, whatever its
 * deadline: a day of hourly polls to cancel it and read what it left unsent while WeCom still
 * answers, so no customer is left awaiting a confirmation for ever (nor its campaign running).
 */
const WINDOW_CANCEL_MS = 24 * 3_600_000;
/** Past the window, a task whose last results could not be read is tried this much longer, then given up. */
const WINDOW_GRACE_MS = 12 * 3_600_000;

export interface Page<T> {
  items: T[];
  next: string;
}

/** Reads every page of a cursor-paged WeCom list. */
export async function pages<T>(fetch: (cursor: string) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor = '';
  for (let i = 0; i < 1000; i++) {
    const page = await fetch(cursor);
    all.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  return all;
}

/** Every page of a cursor-paged list call (`limit` 1000, `next_cursor`): the items under `key`. */
function listAll<T>(
  client: WecomClient,
  path: string,
  body: Record<string, unknown>,
  key: string,
  ctx: PollContext,
): Promise<T[]> {
  return pages(async (cursor) => {
    const a = await client.post(path, { ...body, limit: 1000, ...(cursor ? { cursor } : {}) }, ctx);
    return { items: (a[key] as T[] | undefined) ?? [], next: String(a.next_cursor ?? '') };
  });
}

/**
 * Reads the results of open customer and group tasks: whether the sender confirmed (`get_groupmsg_task`,
 * status 2), then each customer's result (`get_groupmsg_send_result`): 1 sent → `delivered`,
 * 2 no longer a customer → `failed` invalid_recipient, 3 already received another mass message
 * → `filtered` (the platform cap, not a failure), 0 not yet → nothing. A task whose sender has
 * not confirmed by its deadline is cancelled (`cancel_groupmsg_send`); the customers of a
 * cancelled task still at 0 will never get it, and are reported failed `unconfirmed`, which the
 * engine hands to the next step of the plan. Until then they stay awaiting confirmation: a task
 * WeCom could not be asked about, or could not cancel, is tried again, never given up on.
 */
export async function pollCustomerTasks(
  config: WecomConfig,
  client: WecomClient,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  const now = ctx.now().getTime();
  const events: DeliveryEvent[] = [];
  const closed: string[] = [];
  const closing: string[] = [];
  let polled = 0;
  for (const msgid of await openTaskIds(ctx.state)) {
    const task = await readTask(ctx.state, msgid);
    if (!task || task.closed) {
      closed.push(msgid);
      continue;
    }
    if (task.nextPollAt > now || polled >= TASKS_PER_POLL || ctx.signal.aborted) continue;
    polled++;
    try {
      events.push(...(await pollTask(config, client, task, ctx)));
    } catch (error) {
      // 41063: WeCom is still dispatching the task; other errors: try again at the next poll.
      ctx.logger.warn('customer task poll failed', {
        msgid,
        errcode: error instanceof WecomApiError ? error.errcode : undefined,
      });
    }
    task.polls++;
    task.nextPollAt = now + Math.min(config.taskPollMs * 2 ** task.polls, MAX_POLL_MS);
    const deadlineAt = deadlineOf(config, task);
    // An unconfirmed task is looked at again no later than its deadline (past it, a cancel WeCom
    // refused is tried again at the first interval), and so is a cancelled one whose customers are
    // not reported yet: both hold customers the plan waits for.
    if (!task.confirmed && !task.cancelled)
      task.nextPollAt = deadlineAt > now ? Math.min(task.nextPollAt, deadlineAt) : now + config.taskPollMs;
    if (task.cancelled && !task.closed) task.nextPollAt = now + config.taskPollMs;
    if (!task.closed && now - task.createdAt > TASK_WINDOW_MS + WINDOW_GRACE_MS) {
      task.closed = true;
      ctx.logger.warn('customer task closed without its last results: WeCom did not answer past its window', {
        msgid,
      });
    }
    // What this poll learnt, merged into the latest value: a reminder or a cancel made meanwhile
    // stays. Closed only once the engine recorded its last results: a poll that dies first loses none.
    const saved = await updateTask(ctx.state, msgid, (latest) =>
      mergeTask(latest, { ...task, closed: false }),
    );
    if (saved?.closed) closed.push(msgid);
    else if (task.closed) closing.push(msgid);
  }
  await closeTasks(ctx.state, closed);
  if (closing.length > 0) {
    await whenRecorded(ctx, async () => {
      for (const msgid of closing)
        await updateTask(ctx.state, msgid, (latest) => ({ ...latest, closed: true }));
      await closeTasks(ctx.state, closing);
    });
  }
  return events;
}

/**
 * A task's deadline: as recorded at its creation, else (a task recorded before deadlines were) the
 * channel's; never later than a day before the query window closes (`WINDOW_CANCEL_MS`).
 */
function deadlineOf(config: WecomConfig, task: CustomerTask): number {
  const windowAt = task.createdAt + TASK_WINDOW_MS - WINDOW_CANCEL_MS;
  const own =
    task.deadlineAt ??
    (config.confirmationDeadlineMs === undefined
      ? undefined
      : task.createdAt + config.confirmationDeadlineMs);
  return own === undefined ? windowAt : Math.min(own, windowAt);
}

/** `learnt` (a copy of the task read earlier, changed by a poll or an operator's call) merged into its latest value. */
export function mergeTask(latest: CustomerTask, learnt: CustomerTask): CustomerTask {
  const cancelledAt = latest.cancelledAt ?? learnt.cancelledAt;
  return {
    ...latest,
    confirmed: latest.confirmed || learnt.confirmed,
    cancelled: latest.cancelled || learnt.cancelled,
    closed: latest.closed || learnt.closed,
    polls: Math.max(latest.polls, learnt.polls),
    nextPollAt: learnt.nextPollAt,
    ...(cancelledAt === undefined ? {} : { cancelledAt }),
  };
}

async function pollTask(
  config: WecomConfig,
  client: WecomClient,
  task: CustomerTask,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  const now = ctx.now().getTime();
  if (!task.confirmed && !task.cancelled) {
    const list = await listAll<{ userid: string; status: number }>(
      client,
      '/cgi-bin/externalcontact/get_groupmsg_task',
      { msgid: task.msgid },
      'task_list',
      ctx,
    );
    task.confirmed = list.some((t) => t.userid === task.sender && t.status === 2);
    if (!task.confirmed) {
      if (now < deadlineOf(config, task)) return [];
      await client.post('/cgi-bin/externalcontact/cancel_groupmsg_send', { msgid: task.msgid }, ctx);
      task.cancelled = true;
      task.cancelledAt = now;
      ctx.logger.info('customer task cancelled at its confirmation deadline', { msgid: task.msgid });
    }
  }
  return readResults(config, client, task, ctx);
}

/**
 * A task's results as delivery events; closes the task once none is awaited: every customer has a
 * final result, or the task is cancelled (its customers at 0 are then `unconfirmed`), or the query
 * window has closed (a confirmed task's customers still at 0 are then failed `unknown`: WeCom will
 * not say whether they got it, and an unknown failure is not sent again by the next step).
 */
export async function readResults(
  config: WecomConfig,
  client: WecomClient,
  task: CustomerTask,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  const now = ctx.now().getTime();
  const results = await listAll<{
    external_userid?: string;
    chat_id?: string;
    status: number;
    send_time?: number;
  }>(
    client,
    '/cgi-bin/externalcontact/get_groupmsg_send_result',
    { msgid: task.msgid, userid: task.sender },
    'send_list',
    ctx,
  );
  const events: DeliveryEvent[] = [];
  const reached: string[] = [];
  const capped: string[] = [];
  let waiting = 0;
  for (const r of results) {
    const target = r.external_userid ?? r.chat_id ?? '';
    if (target === '') continue;
    const providerMessageId = customerMessageId(task.msgid, task.sender, target);
    const at = new Date((r.send_time ?? Math.floor(now / 1000)) * 1000);
    if (r.status === 1) {
      events.push({ providerMessageId, state: 'delivered', at });
      reached.push(target);
    } else if (r.status === 2) {
      events.push({
        providerMessageId,
        state: 'failed',
        at,
        failure: 'invalid_recipient',
        error:
          task.chatType === 'group'
            ? 'the sender no longer owns the group'
            : 'no longer a customer of the sender',
      });
    } else if (r.status === 3) {
      capped.push(target);
      events.push({
        providerMessageId,
        state: 'filtered',
        at,
        error:
          task.chatType === 'group'
            ? "WeCom: the group already received the period's mass messages (platform cap)"
            : 'WeCom: already received another mass message (platform cap)',
      });
    } else if (task.cancelled) {
      // Cancelled before it reached them: they never will. The cancel's time keeps a repeated report one event.
      events.push({
        providerMessageId,
        state: 'failed',
        at: new Date(task.cancelledAt ?? now),
        failure: 'unconfirmed',
        error: 'WeCom: the sender did not confirm the task before it was cancelled',
      });
    } else if (now - task.createdAt > TASK_WINDOW_MS) {
      events.push({
        providerMessageId,
        state: 'failed',
        at: new Date(task.createdAt + TASK_WINDOW_MS),
        failure: 'unknown',
        error: 'WeCom gave no result within its 30-day query window',
      });
    } else waiting++;
  }
  // WeCom counts messages we never saw (other tools, the admin console): its 3 says the customer
  // (or group: 每个客户群 has the same limit) is full.
  if (capped.length > 0) await recordCap(ctx.state, config.customerCap, capped, ctx.now(), 'full');
  if (task.chatType === 'group' && reached.length > 0 && task.campaignId !== undefined)
    await recordGroupReach(ctx.state, task.campaignId, reached);
  if (waiting === 0) {
    task.closed = true;
    // Counted once the results are recorded: a poll that dies first counts them at the next one.
    await whenRecorded(ctx, () => recordCap(ctx.state, config.customerCap, reached, ctx.now(), 'one'));
  }
  return events;
}
