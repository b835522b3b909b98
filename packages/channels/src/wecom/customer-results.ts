import type { DeliveryEvent, PollContext } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { recordCap } from './customer-cap.js';
import { customerMessageId } from './customer-send.js';
import { WecomApiError } from './errors.js';
import type { WecomConfig } from './options.js';
import { type CustomerTask, closeTasks, openTaskIds, readTask, TASK_WINDOW_MS, updateTask } from './tasks.js';

/** Polls start `taskPollMs` after a task and double up to an hour: often in the first hours, then less. */
const MAX_POLL_MS = 3_600_000;
/** Tasks polled in one `pollReceipts` call at most; the rest wait for the next. */
const TASKS_PER_POLL = 50;

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

/**
 * Reads the results of open customer tasks: whether the sender confirmed (`get_groupmsg_task`,
 * status 2), then each customer's result (`get_groupmsg_send_result`): 1 sent → `delivered`,
 * 2 no longer a customer → `failed` invalid_recipient, 3 already received another mass message
 * → `filtered` (the platform cap, not a failure), 0 not yet → nothing. A task whose sender has
 * not confirmed by the deadline is cancelled (`cancel_groupmsg_send`); its customers stay
 * awaiting confirmation and the plan's escalation hands them to the next channel.
 */
export async function pollCustomerTasks(
  config: WecomConfig,
  client: WecomClient,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  const now = ctx.now().getTime();
  const events: DeliveryEvent[] = [];
  const closed: string[] = [];
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
    // An unconfirmed task is looked at again no later than its deadline, so its cancel comes
    // before the plan's escalation hands its customers to the next channel.
    const deadline = config.confirmationDeadlineMs;
    if (!task.confirmed && !task.cancelled && deadline !== undefined && task.createdAt + deadline > now)
      task.nextPollAt = Math.min(task.nextPollAt, task.createdAt + deadline);
    if (now - task.createdAt > TASK_WINDOW_MS) task.closed = true;
    // What this poll learnt, merged into the latest value: a reminder or a cancel made meanwhile stays.
    const saved = await updateTask(ctx.state, msgid, (latest) => ({
      ...latest,
      confirmed: latest.confirmed || task.confirmed,
      cancelled: latest.cancelled || task.cancelled,
      closed: latest.closed || task.closed,
      polls: task.polls,
      nextPollAt: task.nextPollAt,
    }));
    if (saved?.closed) closed.push(msgid);
  }
  await closeTasks(ctx.state, closed);
  return events;
}

async function pollTask(
  config: WecomConfig,
  client: WecomClient,
  task: CustomerTask,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  const now = ctx.now().getTime();
  if (!task.confirmed) {
    const list = await pages(async (cursor) => {
      const a = await client.post(
        '/cgi-bin/externalcontact/get_groupmsg_task',
        { msgid: task.msgid, limit: 1000, ...(cursor ? { cursor } : {}) },
        ctx,
      );
      return {
        items: (a.task_list as { userid: string; status: number }[]) ?? [],
        next: String(a.next_cursor ?? ''),
      };
    });
    task.confirmed = list.some((t) => t.userid === task.sender && t.status === 2);
    if (!task.confirmed) {
      const deadline = config.confirmationDeadlineMs;
      if (deadline !== undefined && now - task.createdAt >= deadline && !task.cancelled) {
        await client.post('/cgi-bin/externalcontact/cancel_groupmsg_send', { msgid: task.msgid }, ctx);
        task.cancelled = true;
        task.closed = true;
        ctx.logger.info('customer task cancelled at its confirmation deadline', { msgid: task.msgid });
      }
      return [];
    }
  }
  const results = await pages(async (cursor) => {
    const a = await client.post(
      '/cgi-bin/externalcontact/get_groupmsg_send_result',
      { msgid: task.msgid, userid: task.sender, limit: 1000, ...(cursor ? { cursor } : {}) },
      ctx,
    );
    return {
      items:
        (a.send_list as {
          external_userid?: string;
          chat_id?: string;
          status: number;
          send_time?: number;
        }[]) ?? [],
      next: String(a.next_cursor ?? ''),
    };
  });
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
        error: 'no longer a customer of the sender',
      });
    } else if (r.status === 3) {
      capped.push(target);
      events.push({
        providerMessageId,
        state: 'filtered',
        at,
        error: 'WeCom: already received another mass message (platform cap)',
      });
    } else waiting++;
  }
  // WeCom counts messages we never saw (other tools, the admin console): its 3 says the customer is full.
  if (capped.length > 0 && task.chatType === 'single')
    await recordCap(ctx.state, config.customerCap, capped, ctx.now(), 'full');
  if (waiting === 0) {
    task.closed = true;
    if (task.chatType === 'single') await recordCap(ctx.state, config.customerCap, reached, ctx.now(), 'one');
  }
  return events;
}
