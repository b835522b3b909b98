import type { ApprovedVersion as VersionShape } from '../../services/approved-version.js';
import { findSegment } from '../../services/segments.js';
import { builder } from '../builder.js';
import { ChannelPlanStep, Variant } from './campaign.js';
import { ChannelModeEnum } from './enums.js';
import { campaignQuietHours, QuietHours } from './quiet-hours.js';
import { Schedule } from './schedule.js';
import { SegmentRef } from './segment.js';

export const ApprovedVersion = builder.objectRef<VersionShape>('ApprovedVersion').implement({
  description:
    "The campaign as its last approved round approved it, to compare with the version under review (the same fields as the campaign's)",
  fields: (t) => ({
    round: t.exposeInt('round', { description: 'The review round that approved it' }),
    approvedAt: t.field({ type: 'DateTime', resolve: (v) => v.approvedAt }),
    name: t.exposeString('name'),
    variants: t.field({ type: [Variant], resolve: (v) => v.variants }),
    audience: t.field({ type: 'JSON', resolve: (v) => v.audience }),
    segment: t.field({
      type: SegmentRef,
      nullable: true,
      resolve: (v, _args, ctx) =>
        v.segmentId === null ? null : findSegment(ctx.deps, ctx.principal, v.segmentId),
    }),
    excludeDormant: t.exposeBoolean('excludeDormant'),
    channelPlan: t.field({ type: [ChannelPlanStep], resolve: (v) => v.channelPlan }),
    channelMode: t.field({ type: ChannelModeEnum, resolve: (v) => v.channelMode }),
    scheduledAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.scheduledAt }),
    schedule: t.field({ type: Schedule, nullable: true, resolve: (v) => v.schedule }),
    quietHours: t.field({
      type: QuietHours,
      description: "Its own setting, or its workspace's as it stands now",
      resolve: (v, _args, ctx) => campaignQuietHours(ctx, v.workspaceId, v.quietHours),
    }),
    batchIntervalMs: t.exposeInt('batchIntervalMs'),
    sendWindowMs: t.int({ nullable: true, resolve: (v) => v.sendWindowMs }),
  }),
});
