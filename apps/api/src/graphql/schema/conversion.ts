import { authorize } from '../../auth/roles.js';
import { rotateConversionSecret } from '../../services/conversions/conversion-secret.js';
import {
  type Conversion as ConversionShape,
  recordConversion,
} from '../../services/conversions/record-conversion.js';
import { campaignFunnel, type FunnelRow as FunnelRowShape } from '../../services/metrics/funnel.js';
import { metricLevels, setMetricLevels } from '../../services/metrics/metric-levels.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { IdentityKindEnum } from './enums.js';
import { Workspace } from './viewer.js';

const Conversion = builder.objectRef<ConversionShape>('Conversion').implement({
  description: "A partner app's conversion or custom event, and the delivery it is attributed to",
  fields: (t) => ({
    id: t.exposeID('id'),
    event: t.exposeString('event'),
    value: t.exposeFloat('value', { nullable: true }),
    currency: t.exposeString('currency', { nullable: true }),
    contactId: t.exposeID('contactId', { nullable: true }),
    campaignId: t.exposeID('campaignId', { nullable: true }),
    deliveryId: t.exposeID('deliveryId', { nullable: true }),
    attributedBy: t.exposeString('attributedBy', {
      description:
        'link: the delivery of the tracked link given as linkToken; contact: the latest message that reached the contact within 7 days; none: no such message',
    }),
    source: t.exposeString('source', { description: 'api or webhook' }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.occurredAt }),
    duplicate: t.exposeBoolean('duplicate', {
      description: 'The idempotency key was seen before: this is the first record, nothing was written',
    }),
  }),
});

const ConversionIdentityInput = builder.inputType('ConversionIdentityInput', {
  fields: (t) => ({ kind: t.field({ type: IdentityKindEnum }), value: t.string() }),
});

const RecordConversionInput = builder.inputType('RecordConversionInput', {
  fields: (t) => ({
    idempotencyKey: t.string({ description: 'The same key records once and returns the first record' }),
    event: t.string({ description: 'purchase, form_submitted…: letters, digits and _ . : -' }),
    value: t.float({ required: false }),
    currency: t.string({ required: false, description: 'ISO 4217, with value' }),
    occurredAt: t.field({ type: 'DateTime', required: false, description: 'Default now' }),
    contactId: t.id({ required: false }),
    identity: t.field({
      type: ConversionIdentityInput,
      required: false,
      description: 'Instead of contactId',
    }),
    linkToken: t.string({
      required: false,
      description:
        'The qf_click parameter Qunfa added to the landing URL of a tracked link: attributes the conversion to that delivery',
    }),
  }),
});

const FunnelRow = builder.objectRef<FunnelRowShape>('FunnelRow').implement({
  description: 'Recipients who got at least this far; null variant/channel: all of them',
  fields: (t) => ({
    variantKey: t.exposeString('variantKey', { nullable: true }),
    channel: t.exposeString('channel', { nullable: true }),
    sent: t.exposeInt('sent'),
    delivered: t.exposeInt('delivered'),
    opened: t.exposeInt('opened'),
    clicked: t.exposeInt('clicked'),
    converted: t.exposeInt('converted'),
  }),
});

const MetricLevel = builder
  .objectRef<{ metric: string; good: number; alarm: number }>('MetricLevel')
  .implement({
    fields: (t) => ({
      metric: t.exposeString('metric'),
      good: t.exposeFloat('good'),
      alarm: t.exposeFloat('alarm'),
    }),
  });

const MetricLevelInput = builder.inputType('MetricLevelInput', {
  fields: (t) => ({
    metric: t.string({ description: 'A loaded metric, e.g. metric:complaint-rate' }),
    good: t.float(),
    alarm: t.float(),
  }),
});

const asList = (levels: Record<string, { good: number; alarm: number }>) =>
  Object.entries(levels).map(([metric, l]) => ({ metric, ...l }));

builder.objectField(Campaign, 'funnel', (t) =>
  t.field({
    type: [FunnelRow],
    description:
      'sent → delivered → opened → clicked → converted: the campaign first, then per variant, per channel, per variant and channel',
    resolve: (c, _args, ctx) => campaignFunnel(ctx.deps, ctx.principal, c.id),
  }),
);

builder.objectField(Workspace, 'metricLevels', (t) =>
  t.field({
    type: [MetricLevel],
    description: "The workspace's own levels, in place of the metrics' defaults",
    resolve: async (w, _args, ctx) => asList(await metricLevels(ctx.deps.db, w.id)),
  }),
);

builder.mutationField('setMetricLevels', (t) =>
  t.field({
    type: [MetricLevel],
    description: "Admins: replaces the workspace's metric levels (each in its metric's direction)",
    args: { levels: t.arg({ type: [MetricLevelInput] }) },
    resolve: async (_root, { levels }, ctx) => asList(await setMetricLevels(ctx.deps, ctx.principal, levels)),
  }),
);

builder.mutationField('recordConversion', (t) =>
  t.field({
    type: Conversion,
    description:
      'A conversion or custom event from a partner app, once per idempotency key; partners without an API key POST it signed to /conversions/<workspace id>',
    args: { input: t.arg({ type: RecordConversionInput }) },
    resolve: (_root, { input }, ctx) => {
      const p = authorize(ctx.principal, 'write');
      return recordConversion(
        ctx.deps.db,
        p.workspaceId,
        input,
        'api',
        ctx.deps.clock.now(),
        ctx.deps.linkTokens,
      );
    },
  }),
);

builder.mutationField('rotateConversionSecret', (t) =>
  t.string({
    description:
      'Admins: a new key for signed conversion webhooks, shown only here; the old one stops working at once',
    resolve: (_root, _args, ctx) => rotateConversionSecret(ctx.deps, ctx.principal),
  }),
);
