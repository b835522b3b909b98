import type {
  ChannelContext,
  ChannelPlugin,
  ContactIdentity,
  OutboundBatch,
  OutboundMessage,
  PollContext,
  SendContext,
  SendOutcome,
} from '@qunfa/core';
import { handleOaCallback, type OaJobTotals, totalsKey } from './callback.js';
import { createOaClient } from './client.js';
import { CONFIRMATION_WINDOW_MS, pollPendingJobs } from './confirmations.js';
import { convertContent, oaContentTypes, type TemplateBody } from './content.js';
import {
  type OaFollower,
  type OaTag,
  readFollowerIds,
  readFollowerInfo,
  readFollowers,
  readTags,
} from './followers.js';
import { isJobTarget, MASS_MAX, type MassGroup, sendMassGroup } from './mass-send.js';
import { withoutCapped } from './monthly-cap.js';
import { parseWechatOaOptions, type WechatOaConfig, type WechatOaOptions } from './options.js';
import { queryMassGroup } from './query-status.js';
import { replyToFollower } from './reply.js';
import { sendTemplate } from './template-send.js';

/** What a batch splits into: mass groups, per-follower templates, and what cannot be sent. */
interface Plan {
  groups: MassGroup[];
  templates: { message: OutboundMessage; body: TemplateBody }[];
  rejected: SendOutcome[];
}

function planBatch(batch: OutboundBatch): Plan {
  const groups = new Map<string, MassGroup>();
  const plan: Plan = { groups: [], templates: [], rejected: [] };
  for (const message of batch.messages) {
    const converted = convertContent(message.content);
    if ('rejected' in converted) {
      plan.rejected.push({
        id: message.id,
        status: 'failed',
        failure: 'content_rejected',
        error: converted.rejected,
      });
    } else if ('template' in converted) {
      plan.templates.push({ message, body: converted.template });
    } else {
      const key = JSON.stringify(converted.mass);
      const group = groups.get(key) ?? { body: converted.mass, key, messages: [] };
      group.messages.push(message);
      groups.set(key, group);
    }
  }
  plan.groups = [...groups.values()];
  return batch.job ? asJob(plan, batch.job.target) : plan;
}

/**
 * A platform job goes out as one `mass/sendall` to the tag: one mass content for the whole batch,
 * or nothing is sent (a tag cannot be split by content, and template messages go per follower).
 */
function asJob(plan: Plan, target: string): Plan {
  const refuse = (
    error: string,
    failure: 'content_rejected' | 'invalid_recipient' = 'content_rejected',
  ): Plan => ({
    groups: [],
    templates: [],
    rejected: [
      ...plan.rejected,
      ...plan.groups.flatMap((g) => g.messages),
      ...plan.templates.map((t) => t.message),
    ].map((m) => ({ id: m.id, status: 'failed', failure, error })),
  });
  if (!isJobTarget(target)) {
    return refuse(
      `a mass send to a tag takes a tag id or "all", not "${target.slice(0, 20)}"`,
      'invalid_recipient',
    );
  }
  if (
    plan.templates.length > 0 ||
    plan.groups.length > 1 ||
    (plan.groups.length > 0 && plan.rejected.length > 0)
  ) {
    return refuse(
      'a mass send to a tag carries one mass content for all (template messages go per follower)',
    );
  }
  return plan;
}

/** Runs `work` over `items`, at most `limit` at once, results in order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

export interface WechatOaChannel extends ChannelPlugin {
  /** The validated options, secrets included: never log it. */
  readonly config: WechatOaConfig;
  /** The account's tags (tags/get). */
  tags(ctx: ChannelContext): Promise<OaTag[]>;
  /** Every follower with unionid and tag ids, in pages of at most 100 (user/get, user/info/batchget). */
  followers(ctx: ChannelContext): AsyncGenerator<OaFollower[]>;
  /** One page of follower openids (`user/get`, up to 10,000) from `nextOpenid` ('' first); `next` '' at the end. */
  followerIds(ctx: ChannelContext, nextOpenid: string): Promise<{ openids: string[]; next: string }>;
  /**
   * WeChat's totals of mass-send jobs (`MASSSENDJOBFINISH`), by `msg_id`, as reported: undefined for
   * a job whose push has not come (or is older than a year).
   */
  jobTotals(msgIds: readonly string[], ctx: ChannelContext): Promise<(OaJobTotals | undefined)[]>;
  /** Details of up to 100 followers (`user/info/batchget`); unsubscribed ones left out. */
  followerInfo(ctx: ChannelContext, openids: readonly string[]): Promise<OaFollower[]>;
}

/**
 * `channel:wechat-oa`: an Official Account (公众号/服务号). Mass sends (text, articles from
 * drafts, images, voice, video) go out with `message/mass/send`, one call per distinct content,
 * or as a platform job with `message/mass/sendall` to a tag (`OutboundBatch.job`),
 * each recipient sent "by job" under the job's `msg_id`; `template` content goes out as template
 * messages or subscription notices, one call per follower. Callbacks bring job results, template
 * receipts and followers' messages; an operator answers a follower with a customer-service
 * message within 48 hours of their last one (`reply`).
 */
export function wechatOa(options: WechatOaOptions): WechatOaChannel {
  const config = parseWechatOaOptions(options);
  const client = createOaClient(config);
  return {
    kind: 'channel',
    name: config.name,
    config,
    limits: {
      maxRecipientsPerSend: MASS_MAX,
      contentTypes: [...oaContentTypes],
      receipts: config.callback !== undefined,
      // WeChat reports a mass send per job (MASSSENDJOBFINISH totals), never per follower: mass
      // content is never delivered one by one, so no window may wait for it. Template messages and
      // subscription notices are reported per openid (TEMPLATESENDJOBFINISH,
      // subscribe_msg_sent_event), when the callback is configured.
      receiptStates: {
        text: [],
        news: [],
        image: [],
        voice: [],
        video: [],
        template: config.callback !== undefined ? ['delivered'] : [],
      },
      recall: false,
      idempotencyKeys: true,
      platformJobs: true,
      // Under protection WeChat holds each mass send for an administrator and drops it unconfirmed
      // after 30 minutes: until its verdict no escalation window may move its recipients on.
      ...(config.massSendProtection ? { confirmation: { deadlineMs: CONFIRMATION_WINDOW_MS } } : {}),
    },
    identityKinds: ['oa_openid'],
    accounts: [],
    tags: (ctx) => readTags(client, ctx),
    followers: (ctx) => readFollowers(client, ctx),
    followerIds: (ctx, nextOpenid) => readFollowerIds(client, ctx, nextOpenid),
    followerInfo: (ctx, openids) => readFollowerInfo(client, ctx, openids),
    jobTotals: (msgIds, ctx) => Promise.all(msgIds.map((id) => ctx.state.get<OaJobTotals>(totalsKey(id)))),
    address(identities: ContactIdentity[]) {
      return identities.find((i) => i.kind === 'oa_openid' && i.value !== '')?.value;
    },
    async send(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]> {
      const plan = planBatch(batch);
      const outcomes = [...plan.rejected];
      for (const whole of plan.groups) {
        const { group, filtered } = await withoutCapped(config, batch, whole, ctx);
        outcomes.push(...filtered);
        if (group.messages.length > 0)
          outcomes.push(...(await sendMassGroup(config, client, batch, group, ctx)));
      }
      outcomes.push(
        ...(await pooled(plan.templates, config.concurrency, (t) =>
          sendTemplate(client, batch, t.message, t.body, ctx),
        )),
      );
      return outcomes;
    },
    async queryStatus(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]> {
      const plan = planBatch(batch);
      const outcomes: SendOutcome[] = [];
      for (const whole of plan.groups) {
        // The same followers as the send left out, so the same openid list and clientmsgid.
        const { group, filtered } = await withoutCapped(config, batch, whole, ctx);
        outcomes.push(...filtered);
        if (group.messages.length > 0) outcomes.push(...(await queryMassGroup(client, batch, group, ctx)));
      }
      return outcomes;
    },
    callback: (request, ctx) => handleOaCallback(config, request, ctx),
    ...(config.massSendProtection
      ? { pollReceipts: (ctx: PollContext) => pollPendingJobs(config, client, ctx) }
      : {}),
    reply: (message, ctx) => replyToFollower(config, client, message, ctx),
  };
}
