import type { Campaign as CampaignShape } from '@qunfa/core';
import { createCampaign, updateCampaign } from '../../services/campaign-edits.js';
import { getCampaign, runLifecycle } from '../../services/campaigns.js';
import { findSegment } from '../../services/segments.js';
import { builder } from '../builder.js';
import { AbTestInputRef } from './ab-test-input.js';
import { Counters, campaignMetrics, Metric } from './counters.js';
import { CampaignStateEnum, ChannelModeEnum, EscalationConditionEnum } from './enums.js';
import { QuietHoursInputRef } from './quiet-hours-input.js';
import { ScheduleInputRef } from './schedule-input.js';
import { SegmentRef } from './segment.js';

const Content = builder.objectRef<{ type: string; text: string; subject?: string }>('Content').implement({
  fields: (t) => ({
    type: t.exposeString('type'),
    text: t.exposeString('text'),
    subject: t.string({ nullable: true, resolve: (c) => c.subject ?? null }),
  }),
});

const ChannelContent = builder
  .objectRef<{ channel: string; content: { type: string; text: string; subject?: string } }>('ChannelContent')
  .implement({
    fields: (t) => ({
      channel: t.exposeString('channel'),
      content: t.field({ type: Content, resolve: (c) => c.content }),
    }),
  });

export const Variant = builder.objectRef<CampaignShape['variants'][number]>('Variant').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    weight: t.exposeFloat('weight'),
    content: t.field({ type: Content, resolve: (v) => v.content }),
    channelContent: t.field({
      type: [ChannelContent],
      description: 'Content of particular plan steps; the other steps send `content`',
      resolve: (v) =>
        Object.entries(v.channelContent ?? {}).map(([channel, content]) => ({ channel, content })),
    }),
  }),
});

export const ChannelPlanStep = builder
  .objectRef<CampaignShape['channelPlan'][number]>('ChannelPlanStep')
  .implement({
    fields: (t) => ({
      channel: t.exposeString('channel'),
      batchSize: t.int({ nullable: true, resolve: (s) => s.batchSize ?? null }),
      failover: t.stringList({
        description: 'Other providers of this channel, tried in order after an outage or timeout',
        resolve: (s) => s.failover ?? [],
      }),
      trackLinks: t.boolean({
        description: 'Links of text messages are rewritten to tracked ones that count clicks',
        resolve: (s) => s.trackLinks !== false,
      }),
      escalateAfterMs: t.int({
        nullable: true,
        description: 'Recipients without the awaited receipt this long after the send move to the next step',
        resolve: (s) => s.escalateAfter?.ms ?? null,
      }),
      escalateUnless: t.field({
        type: EscalationConditionEnum,
        nullable: true,
        resolve: (s) => s.escalateAfter?.unless ?? null,
      }),
      confirmationDeadlineMs: t.int({
        nullable: true,
        description:
          "What this campaign's senders have not confirmed this long after the send is withdrawn and moves to the next step (WeCom customer mass send); null: the channel's default",
        resolve: (s) => s.confirmationDeadlineMs ?? null,
      }),
      platformJobTarget: t.string({
        nullable: true,
        description:
          "Sent as one mass send to this provider-side audience (an Official Account's tag id): each recipient is sent by job, the platform reporting the job's totals only",
        resolve: (s) => s.platformJob?.target ?? null,
      }),
    }),
  });

export const Campaign = builder.objectRef<CampaignShape>('Campaign').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    state: t.field({ type: CampaignStateEnum, resolve: (c) => c.state }),
    audience: t.field({ type: 'JSON', resolve: (c) => c.audience }),
    segment: t.field({
      type: SegmentRef,
      nullable: true,
      description: 'The saved segment the audience follows until the start (null: its own expression)',
      resolve: (c, _args, ctx) =>
        c.segmentId === null ? null : findSegment(ctx.deps, ctx.principal, c.segmentId),
    }),
    excludeDormant: t.exposeBoolean('excludeDormant'),
    variants: t.field({ type: [Variant], resolve: (c) => c.variants }),
    channelPlan: t.field({ type: [ChannelPlanStep], resolve: (c) => c.channelPlan }),
    channelMode: t.field({
      type: ChannelModeEnum,
      description:
        'ALL: a delivery on every channel that reaches a recipient; counters count messages, the funnel people',
      resolve: (c) => c.channelMode,
    }),
    counters: t.field({ type: Counters, resolve: (c, _args, ctx) => ctx.deps.store.counters(c.id) }),
    metrics: t.field({
      type: [Metric],
      resolve: async (c, _args, ctx) => campaignMetrics(ctx.deps, c, await ctx.deps.store.counters(c.id)),
    }),
    batchIntervalMs: t.exposeInt('batchIntervalMs'),
    sendWindowMs: t.int({
      nullable: true,
      description: 'Batches spread evenly over this window, in ms',
      resolve: (c) => c.sendWindowMs,
    }),
    scheduledAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.scheduledAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.finishedAt }),
  }),
});

const ContentInput = builder.inputType('ContentInput', {
  fields: (t) => ({
    type: t.string({
      required: false,
      description: 'text (default), markdown, image, link, miniprogram, news, email, voice, video, template',
    }),
    text: t.string({ description: 'May interpolate {{name}} and {{attributes.<key>}}' }),
    subject: t.string({ required: false }),
  }),
});

const ChannelContentInput = builder.inputType('ChannelContentInput', {
  fields: (t) => ({
    channel: t.string({ description: 'A step of the channel plan (its failover providers send the same)' }),
    content: t.field({ type: ContentInput }),
  }),
});

const VariantInput = builder.inputType('VariantInput', {
  fields: (t) => ({
    key: t.string({ description: 'A, B or C' }),
    weight: t.float({ required: false, description: 'Relative share of the audience, default 1' }),
    content: t.field({ type: ContentInput }),
    channelContent: t.field({
      type: [ChannelContentInput],
      required: false,
      description:
        "Content of particular plan steps, e.g. an SMS step's approved template beside WeCom's text; other steps send `content`",
    }),
  }),
});

const ChannelPlanStepInput = builder.inputType('ChannelPlanStepInput', {
  fields: (t) => ({
    channel: t.string({ description: 'A loaded channel, e.g. channel:sandbox' }),
    batchSize: t.int({ required: false }),
    failover: t.stringList({
      required: false,
      description: 'Providers to fail over to on outages and timeouts',
    }),
    trackLinks: t.boolean({
      required: false,
      description: 'Rewrite links of text messages to tracked ones that count clicks; default true',
    }),
    escalateAfterMs: t.int({
      required: false,
      description:
        'Move a recipient to the next step of the plan when this step has not got the receipt (escalateUnless) within this many ms of the send',
    }),
    escalateUnless: t.field({
      type: EscalationConditionEnum,
      required: false,
      description: 'The receipt escalateAfterMs waits for; default DELIVERED',
    }),
    sendToTag: t.boolean({
      required: false,
      description:
        "Send the step as one mass send to the audience's tag (an Official Account: message/mass/sendall); the audience must be exactly one tag synced from the step's channel",
    }),
    confirmationDeadlineMs: t.int({
      required: false,
      description:
        "For a channel whose sends wait for a sender's confirmation (WeCom customer mass send): withdraw what is unconfirmed this long after the send and move it to the next step. Default the channel's; an escalateAfterMs shorter than it blocks the start (ESCALATION_BEFORE_CONFIRMATION_DEADLINE)",
    }),
  }),
});

const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  fields: (t) => ({
    name: t.string(),
    audience: t.field({
      type: 'JSON',
      required: false,
      description:
        'An audience expression: {"tag"}, {"tagUnder"}, {"region"}, {"device"}, {"activeWithinDays"}, {"attribute"}, combined with {"and"}, {"or"}, {"not"}; or {"all": true}. Or give segmentId.',
    }),
    segmentId: t.id({
      required: false,
      description: 'A saved segment: the campaign follows its expression until it starts',
    }),
    excludeDormant: t.boolean({
      required: false,
      description: 'Leave out contacts inactive for 30 days (counted as suppressed: dormant)',
    }),
    quietHours: t.field({
      type: QuietHoursInputRef,
      required: false,
      description: "This campaign's quiet hours; default INHERIT (the workspace's)",
    }),
    variants: t.field({ type: [VariantInput] }),
    channelPlan: t.field({ type: [ChannelPlanStepInput] }),
    channelMode: t.field({
      type: ChannelModeEnum,
      required: false,
      description: 'FIRST (default) or ALL: send on every channel of the plan that reaches a recipient',
    }),
    scheduledAt: t.field({ type: 'DateTime', required: false }),
    batchIntervalMs: t.int({ required: false, description: 'Milliseconds between two batches' }),
    sendWindowMs: t.int({ required: false, description: 'Or: spread the batches evenly over this many ms' }),
    schedule: t.field({
      type: ScheduleInputRef,
      required: false,
      description: 'Makes it a template that sends through runs',
    }),
    retryPolicy: t.field({
      type: 'JSON',
      required: false,
      description: 'Overrides of the default retry policy',
    }),
    abTest: t.field({ type: AbTestInputRef, required: false, description: 'Makes it an A/B test' }),
  }),
});

const UpdateCampaignInput = builder.inputType('UpdateCampaignInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    audience: t.field({
      type: 'JSON',
      required: false,
      description: 'An expression of its own (detaches the campaign from its segment)',
    }),
    segmentId: t.id({ required: false, description: 'Follow this saved segment instead' }),
    excludeDormant: t.boolean({ required: false }),
    quietHours: t.field({ type: QuietHoursInputRef, required: false }),
    variants: t.field({ type: [VariantInput], required: false }),
    channelPlan: t.field({ type: [ChannelPlanStepInput], required: false }),
    channelMode: t.field({ type: ChannelModeEnum, required: false }),
    scheduledAt: t.field({ type: 'DateTime', required: false }),
    batchIntervalMs: t.int({ required: false }),
    sendWindowMs: t.int({ required: false }),
    schedule: t.field({
      type: ScheduleInputRef,
      required: false,
      description: 'Makes it a template that sends through runs',
    }),
    retryPolicy: t.field({ type: 'JSON', required: false }),
    abTest: t.field({
      type: AbTestInputRef,
      required: false,
      description: 'Makes it an A/B test; null removes the test',
    }),
  }),
});

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

builder.queryFields((t) => ({
  campaign: t.field({
    type: Campaign,
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => getCampaign(ctx.deps, ctx.principal, String(id)),
  }),
}));

const lifecycle = (command: 'start' | 'pause' | 'resume' | 'cancel', description: string) =>
  builder.mutationField(`${command}Campaign`, (t) =>
    t.field({
      type: Campaign,
      description,
      args: { id: t.arg.id() },
      resolve: (_root, { id }, ctx) => runLifecycle(ctx.deps, ctx.principal, String(id), command),
    }),
  );

lifecycle(
  'start',
  'Plans the audience and starts sending (or schedules it when scheduledAt is in the future).',
);
lifecycle('pause', 'Stops claiming batches; batches in flight finish.');
lifecycle('resume', 'Continues a paused campaign.');
lifecycle('cancel', 'Stops the campaign for good; queued batches are cancelled.');

builder.mutationFields((t) => ({
  createCampaign: t.field({
    type: Campaign,
    args: { input: t.arg({ type: CreateCampaignInput }) },
    resolve: (_root, { input }, ctx) => createCampaign(ctx.deps, ctx.principal, defined(input)),
  }),
  updateCampaign: t.field({
    type: Campaign,
    description: 'Edits a draft; any other state is CAMPAIGN_NOT_EDITABLE.',
    args: { id: t.arg.id(), input: t.arg({ type: UpdateCampaignInput }) },
    resolve: (_root, { id, input }, ctx) =>
      updateCampaign(ctx.deps, ctx.principal, String(id), {
        ...defined(input),
        // An explicit null removes the A/B test; an absent field keeps it.
        ...(input.abTest === null ? { abTest: null } : {}),
      }),
  }),
}));
