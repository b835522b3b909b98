import { type ChannelContext, type DeliveryEvent, QunfaError } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { mergeTask, readResults } from './customer-results.js';
import type { WecomConfig } from './options.js';
import { type CustomerTask, closeTasks, readTask, updateTask } from './tasks.js';

/** WeCom lets each task be reminded at most 3 times in 24 hours (提醒成员群发). */
export const REMINDERS_PER_DAY = 3;
const DAY_MS = 24 * 3600_000;

async function taskOf(plugin: string, msgid: string, ctx: ChannelContext): Promise<CustomerTask> {
  const task = await readTask(ctx.state, msgid);
  if (!task)
    throw new QunfaError('NOT_FOUND', 'no customer task with this msgid', { plugin, details: { msgid } });
  return task;
}

/**
 * Reminds the sender of a task they have not confirmed (`remind_groupmsg_send`). A fourth
 * reminder within 24 hours is refused here (RATE_LIMITED, with retryAfterMs) without calling WeCom.
 */
export async function remindTask(plugin: string, client: WecomClient, msgid: string, ctx: ChannelContext) {
  const task = await taskOf(plugin, msgid, ctx);
  if (task.confirmed || task.cancelled) {
    throw new QunfaError('INVALID_INPUT', 'the task is confirmed or cancelled already', {
      plugin,
      details: { msgid },
    });
  }
  const now = ctx.now().getTime();
  const recent = task.reminders.filter((t) => t > now - DAY_MS);
  if (recent.length >= REMINDERS_PER_DAY) {
    throw new QunfaError('RATE_LIMITED', 'a task can be reminded 3 times in 24 hours', {
      plugin,
      details: { msgid, retryAfterMs: recent[0]! + DAY_MS - now },
    });
  }
  await client.post('/cgi-bin/externalcontact/remind_groupmsg_send', { msgid }, ctx);
  await updateTask(ctx.state, msgid, (latest) => ({
    ...latest,
    reminders: [...latest.reminders.filter((t) => t > now - DAY_MS), now],
  }));
}

/**
 * Stops a task (`cancel_groupmsg_send`): what its sender has not sent is never sent (WeCom cannot
 * take back what was). Returns its results read right after: the customers still at 0 as failed
 * `unconfirmed` — for the engine to hand to the next step now, not after the plan's window. When
 * the results cannot be read, the task stays open and the next poll reports them.
 */
export async function cancelTask(
  config: WecomConfig,
  client: WecomClient,
  msgid: string,
  ctx: ChannelContext,
): Promise<DeliveryEvent[]> {
  const task = await taskOf(config.name, msgid, ctx);
  if (!task.cancelled) {
    await client.post('/cgi-bin/externalcontact/cancel_groupmsg_send', { msgid }, ctx);
    const now = ctx.now().getTime();
    await updateTask(ctx.state, msgid, (latest) => ({
      ...latest,
      cancelled: true,
      cancelledAt: latest.cancelledAt ?? now,
      nextPollAt: now,
    }));
  }
  const cancelled = await readTask(ctx.state, msgid);
  if (!cancelled || cancelled.closed) return [];
  try {
    const events = await readResults(config, client, cancelled, ctx);
    const saved = await updateTask(ctx.state, msgid, (latest) => mergeTask(latest, cancelled));
    if (saved?.closed) await closeTasks(ctx.state, [msgid]);
    return events;
  } catch (error) {
    ctx.logger.warn("a cancelled task's results could not be read: the next poll reports them", {
      msgid,
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}
