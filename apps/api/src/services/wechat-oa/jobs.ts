import type { WechatOaChannel } from '@qunfa/channels';
import { type ChannelContext, type ChannelPlugin, pluginLogger, scopePluginState } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { rows } from '../../db/database.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';

/**
 * One Official Account mass-send job of a campaign (a `msg_id`): the deliveries Qunfa sent in it,
 * where they are now, and WeChat's totals from its `MASSSENDJOBFINISH` push — reported per job,
 * never per follower, so shown beside the deliveries and never spread over them.
 */
export interface OaJobView {
  channel: string;
  msgId: string;
  /** Deliveries Qunfa sent in the job (a tag job: the campaign's followers in the tag). */
  recipients: number;
  /** Still awaiting an administrator's confirmation (mass-send protection). */
  awaiting: number;
  /** Sent by the job, as far as Qunfa knows (WeChat says no more per follower). */
  sent: number;
  failed: number;
  /** Moved to the next channel of the plan (the job failed, or was never confirmed). */
  escalated: number;
  /** WeChat's totals once pushed; null until then. */
  totals: {
    status: string;
    /** `TotalCount`: followers of the tag, or openids of the list. */
    total: number;
    /** `FilterCount`: left to send to after WeChat's filters (region, refusals, the monthly 4). */
    toSend: number;
    /** `TotalCount - FilterCount`: dropped by those filters. */
    filteredOut: number;
    /** `SentCount`. */
    sent: number;
    /** `ErrorCount`. */
    errors: number;
    at: Date;
  } | null;
}

type OaLike = ChannelPlugin & Pick<WechatOaChannel, 'jobTotals'>;
const isOa = (c: ChannelPlugin): c is OaLike => typeof (c as Partial<OaLike>).jobTotals === 'function';

function contextOf(deps: ServiceDeps, channel: ChannelPlugin): ChannelContext {
  return {
    signal: deps.shutdown,
    now: () => deps.clock.now(),
    state: scopePluginState(deps.pluginState, channel.name),
    logger: pluginLogger(deps.logger, channel.name),
  };
}

interface JobRow {
  channel: string;
  msg_id: string;
  recipients: number;
  awaiting: number;
  sent: number;
  failed: number;
  escalated: number;
}

/**
 * A campaign's Official Account mass-send jobs, oldest first: found from the attempts' provider
 * ids (`<msg_id>:<delivery id>`) on the workspace's Official Account channels, counted by where
 * their deliveries are now, with WeChat's totals as the channel kept them from the job's push.
 */
export async function oaJobsOf(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<OaJobView[]> {
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const channels = deps.registry.channels.filter(isOa);
  if (channels.length === 0) return [];
  const names = `{${channels.map((c) => `"${c.name}"`).join(',')}}`;
  const list = await rows<JobRow>(
    deps.db,
    sql`
    SELECT a.channel, split_part(a.provider_message_id, ':', 1) AS msg_id,
      count(DISTINCT d.id)::int AS recipients,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state = 'awaiting_confirmation')::int AS awaiting,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state IN ('sent', 'delivered', 'read', 'clicked'))::int AS sent,
      count(DISTINCT d.id) FILTER (WHERE d.channel = a.channel AND d.state IN ('failed', 'uncertain'))::int AS failed,
      count(DISTINCT d.id) FILTER (WHERE d.channel IS DISTINCT FROM a.channel)::int AS escalated
    FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
    WHERE a.campaign_id = ${Number(campaign.id)} AND a.channel = ANY(${names}::text[])
      AND a.provider_message_id ~ '^[0-9]{1,20}:'
    GROUP BY 1, 2 ORDER BY min(a.at), 2`,
  );
  return Promise.all(
    list.map(async (r): Promise<OaJobView> => {
      const channel = channels.find((c) => c.name === r.channel)!;
      const [t] = await channel.jobTotals([r.msg_id], contextOf(deps, channel));
      return {
        channel: r.channel,
        msgId: r.msg_id,
        recipients: r.recipients,
        awaiting: r.awaiting,
        sent: r.sent,
        failed: r.failed,
        escalated: r.escalated,
        totals: t
          ? {
              status: t.status,
              total: t.total,
              toSend: t.filtered,
              filteredOut: Math.max(0, t.total - t.filtered),
              sent: t.sent,
              errors: t.errors,
              at: new Date(t.at),
            }
          : null,
      };
    }),
  );
}
