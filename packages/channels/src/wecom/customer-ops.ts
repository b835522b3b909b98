import { type ChannelContext, QunfaError } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { type CustomerTask, readTask, updateTask } from './tasks.js';

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

/** Stops a task (`cancel_groupmsg_send`): what its sender has not sent is never sent. */
export async function cancelTask(plugin: string, client: WecomClient, msgid: string, ctx: ChannelContext) {
  const task = await taskOf(plugin, msgid, ctx);
  if (task.cancelled) return;
  await client.post('/cgi-bin/externalcontact/cancel_groupmsg_send', { msgid }, ctx);
  await updateTask(ctx.state, msgid, (latest) => ({ ...latest, cancelled: true, closed: !latest.confirmed }));
}
