import type { CampaignSchedule, Campaign as CampaignShape } from '@qunfa/core';
import { listRuns, triggerCampaign } from '../../services/campaigns.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { ScheduleKindEnum } from './schedule-input.js';

export const Schedule = builder.objectRef<CampaignSchedule>('CampaignSchedule').implement({
  description: 'A template sends through its runs: on a cron schedule, or when triggered over the API',
  fields: (t) => ({
    kind: t.field({ type: ScheduleKindEnum, resolve: (s) => s.kind }),
    cron: t.string({ nullable: true, resolve: (s) => (s.kind === 'recurring' ? s.cron : null) }),
    timeZone: t.string({ nullable: true, resolve: (s) => (s.kind === 'recurring' ? s.timeZone : null) }),
  }),
});

const RunOf = builder.objectRef<NonNullable<CampaignShape['runOf']>>('RunOf').implement({
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The fire time, or trigger:<idempotency key>' }),
    template: t.field({
      type: Campaign,
      nullable: true,
      resolve: (r, _args, ctx) => ctx.deps.store.getCampaign(r.campaignId),
    }),
  }),
});

builder.objectFields(Campaign, (t) => ({
  schedule: t.field({ type: Schedule, nullable: true, resolve: (c) => c.schedule }),
  nextRunAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.nextRunAt }),
  runOf: t.field({ type: RunOf, nullable: true, resolve: (c) => c.runOf }),
  runs: t.field({
    type: [Campaign],
    description: 'A template’s runs, newest first',
    args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
    resolve: (c, args, ctx) => (c.schedule ? listRuns(ctx.deps, ctx.principal, c.id, args.first ?? 20) : []),
  }),
}));

builder.mutationField('triggerCampaign', (t) =>
  t.field({
    type: Campaign,
    description:
      'Starts a run of a started template; the same idempotency key returns the same run, never a second one.',
    args: { id: t.arg.id(), idempotencyKey: t.arg.string() },
    resolve: (_root, args, ctx) =>
      triggerCampaign(ctx.deps, ctx.principal, String(args.id), args.idempotencyKey),
  }),
);
