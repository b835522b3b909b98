import { type OaJobView, oaJobsOf } from '../../services/wechat-oa/jobs.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';

type Totals = NonNullable<OaJobView['totals']>;

const OaJobTotals = builder.objectRef<Totals>('OaJobTotals').implement({
  description:
    "WeChat's totals of a finished mass-send job (MASSSENDJOBFINISH), as reported: for the job, not per follower",
  fields: (t) => ({
    status: t.exposeString('status', {
      description:
        "WeChat's Status: send success, send fail, or err(n) (a review reason, a refusal, no confirmation)",
    }),
    total: t.exposeInt('total', { description: 'TotalCount: followers of the tag, or openids of the list' }),
    toSend: t.exposeInt('toSend', {
      description: "FilterCount: left to send to after WeChat's filters (region, refusals, the monthly 4)",
    }),
    filteredOut: t.exposeInt('filteredOut', {
      description: 'TotalCount − FilterCount: dropped by those filters',
    }),
    sent: t.exposeInt('sent', { description: 'SentCount' }),
    errors: t.exposeInt('errors', { description: 'ErrorCount' }),
    at: t.field({ type: 'DateTime', resolve: (v) => v.at }),
  }),
});

const OaJob = builder.objectRef<OaJobView>('OaJob').implement({
  description:
    "One Official Account mass-send job of a campaign (msg_id): Qunfa's deliveries in it, and WeChat's totals once pushed",
  fields: (t) => ({
    channel: t.exposeString('channel'),
    msgId: t.exposeString('msgId', { description: "WeChat's msg_id" }),
    recipients: t.exposeInt('recipients', { description: 'Deliveries sent in the job' }),
    awaiting: t.exposeInt('awaiting', { description: "Awaiting an administrator's confirmation" }),
    sent: t.exposeInt('sent', { description: 'Sent by the job (WeChat reports no follower alone)' }),
    failed: t.exposeInt('failed'),
    escalated: t.exposeInt('escalated', { description: 'Moved to the next channel of the plan' }),
    totals: t.field({ type: OaJobTotals, nullable: true, resolve: (v) => v.totals }),
  }),
});

builder.objectFields(Campaign, (t) => ({
  oaJobs: t.field({
    type: [OaJob],
    description: "The campaign's Official Account mass-send jobs, oldest first, with WeChat's totals",
    resolve: (campaign, _args, ctx) => oaJobsOf(ctx.deps, ctx.principal, campaign.id),
  }),
}));
