import {
  type ChannelForecast as ChannelForecastShape,
  type ChannelPrice as ChannelPriceShape,
  type Forecast as ForecastShape,
  priceUnits,
} from '@qunfa/core';
import {
  type CampaignCost as CampaignCostShape,
  type ChannelCost as ChannelCostShape,
  campaignCost,
} from '../../services/cost/campaign-cost.js';
import { channelPrices, setChannelPrices } from '../../services/cost/channel-prices.js';
import { forecastCampaign } from '../../services/cost/forecast.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { ContentFinding } from './finding.js';
import { Workspace } from './viewer.js';

const PriceUnitEnum = builder.enumType('PriceUnit', {
  values: Object.fromEntries(priceUnits.map((u) => [u.toUpperCase(), { value: u }])) as Record<
    string,
    { value: (typeof priceUnits)[number] }
  >,
});

const ChannelPrice = builder.objectRef<ChannelPriceShape>('ChannelPrice').implement({
  description: 'What one channel, or one sender account of it, costs per message or per SMS segment',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    account: t.exposeString('account', {
      nullable: true,
      description: 'Null: every account without its own price',
    }),
    unit: t.field({ type: PriceUnitEnum, resolve: (p) => p.unit }),
    amount: t.exposeFloat('amount', { description: 'Per unit, in currency' }),
    currency: t.exposeString('currency', { description: 'ISO 4217' }),
  }),
});

const ChannelPriceInput = builder.inputType('ChannelPriceInput', {
  fields: (t) => ({
    channel: t.string({ description: 'A loaded channel, e.g. channel:sms-aliyun' }),
    account: t.string({ required: false, description: 'One sender account; omitted: the whole channel' }),
    unit: t.field({ type: PriceUnitEnum }),
    amount: t.float({ description: 'Per unit, ≥ 0, at most 6 decimals' }),
    currency: t.string({ description: 'ISO 4217, e.g. CNY' }),
  }),
});

const Amount = builder.objectRef<{ currency: string; amount: number }>('Amount').implement({
  fields: (t) => ({ currency: t.exposeString('currency'), amount: t.exposeFloat('amount') }),
});

const ReasonCount = builder.objectRef<{ reason: string; count: number }>('ReasonCount').implement({
  fields: (t) => ({ reason: t.exposeString('reason'), count: t.exposeInt('count') }),
});

const QuotaMove = builder.objectRef<ForecastShape['movedForQuota'][number]>('QuotaMove').implement({
  description:
    'Recipients planned on a later step because an earlier step that reaches them has no daily quota left for them',
  fields: (t) => ({
    from: t.exposeString('from', { description: 'The step whose quota is spent' }),
    to: t.exposeString('to', { description: 'The step they go to instead' }),
    count: t.exposeInt('count'),
  }),
});

const DeferredCount = builder.objectRef<ForecastShape['deferred'][number]>('ForecastDeferral').implement({
  description:
    'Recipients a rule or a quota would make wait at least once, and the latest time they wait until',
  fields: (t) => ({
    reason: t.exposeString('reason'),
    count: t.exposeInt('count'),
    lastUntil: t.field({ type: 'DateTime', resolve: (d) => d.lastUntil }),
  }),
});

const ChannelForecast = builder.objectRef<ChannelForecastShape>('ChannelForecast').implement({
  fields: (t) => ({
    channel: t.exposeString('channel'),
    messages: t.exposeInt('messages', { description: 'Messages it would send (rules and quotas applied)' }),
    waitingForAbDecision: t.exposeInt('waitingForAbDecision', {
      description: "An A/B test's rest on this channel, sent with the winner (not in messages)",
    }),
    segments: t.exposeInt('segments', { description: 'Billed SMS segments; 1 a message off SMS' }),
    cost: t.exposeFloat('cost', { nullable: true, description: 'Null: the channel has no price' }),
    currency: t.exposeString('currency', { nullable: true }),
    lastSendAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.lastSendAt }),
  }),
});

const CampaignForecast = builder.objectRef<ForecastShape>('CampaignForecast').implement({
  description:
    'A dry run of the start, writing nothing: the plan executed and rolled back, then the recipient rules, daily quotas (as used today) and rates on a simulated clock',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (f) => f.at }),
    recipients: t.exposeInt('recipients', {
      description: 'Recipients the plan writes, suppressed ones included',
    }),
    messages: t.exposeInt('messages', { description: 'Messages that would be sent, all channels' }),
    suppressedAtPlan: t.field({
      type: [ReasonCount],
      description: 'Left out when planning (unsubscribed, complained, no address, A/B hold-out…)',
      resolve: (f) =>
        Object.entries(f.suppressedAtPlan).map(([reason, count]) => ({ reason, count: count ?? 0 })),
    }),
    movedForQuota: t.field({
      type: [QuotaMove],
      description:
        'Recipients moved to a later step of the plan because the first step that reaches them has no daily quota left on the day of the start',
      resolve: (f) => f.movedForQuota,
    }),
    suppressedAtSend: t.field({
      type: [ReasonCount],
      description: 'Left out by recipient rules at send time (frequency and platform caps…)',
      resolve: (f) => Object.entries(f.suppressedAtSend).map(([reason, count]) => ({ reason, count })),
    }),
    deferred: t.field({ type: [DeferredCount], resolve: (f) => f.deferred }),
    waitingForAbDecision: t.exposeInt('waitingForAbDecision'),
    channels: t.field({ type: [ChannelForecast], resolve: (f) => f.channels }),
    cost: t.field({
      type: [Amount],
      description: 'Per currency, of the priced channels',
      resolve: (f) => f.cost,
    }),
    unpriced: t.exposeStringList('unpriced', { description: 'Channels that would send without a price' }),
    firstSendAt: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.firstSendAt }),
    finishAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the last message would go out, as the limits allow (provider latency not counted)',
      resolve: (f) => f.finishAt,
    }),
    findings: t.field({
      type: [ContentFinding],
      description: 'What the checks of a start find; a BLOCK one would refuse it',
      resolve: (f) => f.findings,
    }),
  }),
});

const ChannelCost = builder.objectRef<ChannelCostShape>('ChannelCost').implement({
  fields: (t) => ({
    channel: t.exposeString('channel'),
    billed: t.exposeInt('billed', { description: 'Messages the provider accepted' }),
    segments: t.exposeInt('segments'),
    delivered: t.exposeInt('delivered'),
    clicked: t.exposeInt('clicked'),
    converted: t.exposeInt('converted', {
      description: 'Deliveries a conversion is attributed to, each once however many conversions',
    }),
    amount: t.exposeFloat('amount', { nullable: true, description: 'Null: the channel has no price' }),
    currency: t.exposeString('currency', { nullable: true }),
    perDelivered: t.exposeFloat('perDelivered', { nullable: true }),
    perClick: t.exposeFloat('perClick', { nullable: true }),
    perConversion: t.exposeFloat('perConversion', {
      nullable: true,
      description: 'amount / converted; null when nothing converted or the channel has no price',
    }),
  }),
});

const CampaignCost = builder.objectRef<CampaignCostShape>('CampaignCost').implement({
  description: "What the campaign has cost so far, at the workspace's current prices",
  fields: (t) => ({
    channels: t.field({ type: [ChannelCost], resolve: (c) => c.channels }),
    total: t.field({ type: [Amount], resolve: (c) => c.total }),
    perConversion: t.field({
      type: [Amount],
      description: "Per currency: the priced channels' amount over their converted deliveries",
      resolve: (c) => c.perConversion,
    }),
    unpriced: t.exposeStringList('unpriced'),
  }),
});

builder.objectField(Workspace, 'channelPrices', (t) =>
  t.field({ type: [ChannelPrice], resolve: (w, _args, ctx) => channelPrices(ctx.deps.db, w.id) }),
);

builder.objectField(Campaign, 'cost', (t) =>
  t.field({ type: CampaignCost, resolve: (c, _args, ctx) => campaignCost(ctx.deps, ctx.principal, c.id) }),
);

builder.queryField('campaignForecast', (t) =>
  t.field({
    type: CampaignForecast,
    description:
      'Before a start: how many would be sent on which channel, how many dropped or deferred and why, when the last goes out and what it costs. ILLEGAL_TRANSITION once started.',
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => forecastCampaign(ctx.deps, ctx.principal, String(id)),
  }),
);

builder.mutationField('setChannelPrices', (t) =>
  t.field({
    type: [ChannelPrice],
    description: "Admins: replaces the workspace's channel prices (one per channel and account)",
    args: { prices: t.arg({ type: [ChannelPriceInput] }) },
    resolve: (_root, { prices }, ctx) => setChannelPrices(ctx.deps, ctx.principal, prices),
  }),
);
