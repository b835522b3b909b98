import type { CustomerTask, WecomChannel } from '@qunfa/channels';
import {
  type ChannelContext,
  type ChannelPlugin,
  channelReceiptEvents,
  pluginLogger,
  QunfaError,
  scopePluginState,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import { rows } from '../../db/database.js';
import { writeAudit } from '../../store/audit.js';
import { requireCampaign } from '../campaigns.js';
import { syncError } from '../channel-sync/provider-errors.js';
import type { ServiceDeps } from '../deps.js';
import { validate } from '../validate.js';

/** What a sender has done with a customer mass-send task. */
export type WecomTaskState = 'waiting' | 'confirmed' | 'partly_sent' | 'cancelled' | 'unknown';

/** A WeCom customer mass-send task of a campaign: one sender, their customers, how far it got. */
export interface WecomTaskView {
  channel: string;
  sender: string;
  /** A task to customer groups (chat_type group), its sender their owner. */
  toGroups: boolean;
  msgid: string;
  state: WecomTaskState;
  createdAt: Date | null;
  /** Reminders still allowed in the last 24 hours (WeCom: 3). */
  remindersLeft: number;
  /** When the confirmation deadline cancels it; null without one, or once confirmed or cancelled. */
  deadlineAt: Date | null;
  recipients: number;
  /** Still waiting for the sender (result 0, or not confirmed). */
  awaiting: number;
  /** Result 1: it reached the customer. */
  delivered: number;
  /** Result 3: the customer had their mass messages of the period (the platform cap). */
  filtered: number;
  /** Result 2 (no longer a customer of the sender), or another failure. */
  failed: number;
  /** Moved to the next channel of the plan (after the deadline, unconfirmed). */
  escalated: number;
}

const REMINDERS_PER_DAY = 3;
const DAY_MS = 24 * 3600_000;

type WecomLike = ChannelPlugin & Pick<WecomChannel, 'task' | 'remindTask' | 'cancelTask' | 'config'>;
const isWecom = (c: ChannelPlugin): c is WecomLike =>
  typeof (c as Partial<WecomLike>).task === 'function' &&
  typeof (c as Partial<WecomLike>).remindTask === 'function';

export function contextOf(deps: ServiceDeps, channel: ChannelPlugin): ChannelContext {
  return {
    signal: deps.shutdown,
    now: () => deps.clock.now(),
    state: scopePluginState(deps.pluginState, channel.name),
    logger: pluginLogger(deps.logger, channel.name),
  };
}

function stateOf(task: CustomerTask | undefined, awaiting: number, settled: number): WecomTaskState {
  if (!task) return 'unknown';
  if (task.cancelled) return 'cancelled';
  if (!task.confirmed) return 'waiting';
  return awaiting > 0 && settled > 0 ? 'partly_sent' : 'confirmed';
}

interface TaskRow {
  channel: string;
  sender: string;
  groups: boolean;
  msgid: string;
  recipients: number;
  awaiting: number;
  delivered: number;
  filtered: number;
  failed: number;
  escalated: number;
}

/**
 * A campaign's WeCom customer tasks, per sender: the deliveries each task holds (from the
 * attempts' provider ids `cm:<msgid>:<sender>:<customer>`), counted by where they are now, and
 * the task's state as the channel last polled it (waiting, confirmed, partly sent, cancelled).
 */
export async function wecomTasksOf(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
  only?: { channel: string; msgid: string },
): Promise<WecomTaskView[]> {
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const list = await rows<TaskRow>(
    deps.db,
    sql`
    SELECT a.channel, a.account AS sender, split_part(a.provider_message_id, ':', 2) AS msgid,
      count(DISTINCT d.id)::int AS recipients, bool_and(ct.kind = 'group') AS groups,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state IN ('awaiting_confirmation', 'sent'))::int AS awaiting,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state IN ('delivered', 'read', 'clicked'))::int AS delivered,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state = 'filtered')::int AS filtered,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state IN ('failed', 'uncertain', 'suppressed'))::int AS failed,
      count(DISTINCT d.id) FILTER (WHERE d.channel IS DISTINCT FROM a.channel)::int AS escalated
    FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN contacts ct ON ct.id = d.contact_id
    WHERE a.campaign_id = ${Number(campaign.id)} AND a.provider_message_id LIKE 'cm:%'
      ${only ? sql`AND a.channel = ${only.channel} AND a.provider_message_id LIKE ${`cm:${only.msgid}:%`}` : sql``}
    GROUP BY 1, 2, 3 ORDER BY 2, 3`,
  );
  const now = deps.clock.now().getTime();
  return Promise.all(
    list.map(async (r): Promise<WecomTaskView> => {
      const channel = deps.registry.channels.find((c) => c.name === r.channel);
      const task =
        channel && isWecom(channel) ? await channel.task(r.msgid, contextOf(deps, channel)) : undefined;
      const settled = r.delivered + r.filtered + r.failed;
      return {
        channel: r.channel,
        sender: r.sender,
        toGroups: r.groups,
        msgid: r.msgid,
        state: stateOf(task, r.awaiting, settled),
        createdAt: task ? new Date(task.createdAt) : null,
        remindersLeft: REMINDERS_PER_DAY - (task?.reminders.filter((t) => t > now - DAY_MS).length ?? 0),
        deadlineAt:
          task?.deadlineAt !== undefined && !task.confirmed && !task.cancelled
            ? new Date(task.deadlineAt)
            : null,
        recipients: r.recipients,
        awaiting: r.awaiting,
        delivered: r.delivered,
        filtered: r.filtered,
        failed: r.failed,
        escalated: r.escalated,
      };
    }),
  );
}

const taskInput = z.object({
  campaignId: z.string().min(1).max(40),
  channel: z.string().regex(/^channel:[a-z0-9][a-z0-9-]*$/),
  msgid: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
});

/** The task of the campaign named by the input, and its channel; NOT_FOUND when the campaign has no such task. */
async function campaignTask(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'write');
  const data = validate(taskInput, input);
  const [view] = await wecomTasksOf(deps, principal, data.campaignId, {
    channel: data.channel,
    msgid: data.msgid,
  });
  const channel = deps.registry.channels.find((c) => c.name === data.channel);
  if (!view || !channel || !isWecom(channel)) {
    throw new QunfaError('NOT_FOUND', 'this campaign has no such WeCom task', {
      details: { channel: data.channel, msgid: data.msgid },
    });
  }
  return { p, data, channel, ctx: contextOf(deps, channel) };
}

/** Does one operator action on a task over WeCom, audits it, and returns the task as it is now. */
async function act(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
  action: 'reminded' | 'cancelled',
): Promise<WecomTaskView> {
  const { p, data, channel, ctx } = await campaignTask(deps, principal, input);
  const call = action === 'reminded' ? channel.remindTask : channel.cancelTask;
  const events = await call(data.msgid, ctx).catch((error) => {
    throw syncError(channel.name, error, 'call');
  });
  // The customers a cancel left unsent are failed `unconfirmed` now: the next sweep hands them on.
  if (events && events.length > 0)
    await deps.engine.applyReceipts(channelReceiptEvents(channel.name, events, 'poll'));
  await writeAudit(deps.db, {
    at: deps.clock.now(),
    workspaceId: p.workspaceId,
    actor: { kind: 'api_key', id: String(p.keyId) },
    action: `wecom.task_${action}`,
    subjectType: 'campaign',
    subjectId: Number(data.campaignId),
    details: { channel: data.channel, msgid: data.msgid },
  });
  return (await wecomTasksOf(deps, principal, data.campaignId, data))[0]!;
}

/**
 * Reminds the sender of an unconfirmed task (`remind_groupmsg_send`). A fourth reminder in 24
 * hours is RATE_LIMITED (retryAfterMs) without calling WeCom; a confirmed or cancelled task is INVALID_INPUT.
 */
export const remindWecomTask = (deps: ServiceDeps, principal: Principal | null, input: unknown) =>
  act(deps, principal, input, 'reminded');

/**
 * Stops a task (`cancel_groupmsg_send`): what its sender has not sent is never sent. Its
 * customers WeCom had not reached are failed `unconfirmed` at once, and the engine's next sweep
 * (a tick) hands them to the next step of the plan, not after the plan's window.
 */
export const cancelWecomTask = (deps: ServiceDeps, principal: Principal | null, input: unknown) =>
  act(deps, principal, input, 'cancelled');
