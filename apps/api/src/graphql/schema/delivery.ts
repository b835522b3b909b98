import { deliveryStates } from '@qunfa/core';
import {
  type DeliveryView,
  deliveryReplies,
  listContactDeliveries,
  listDeliveries,
} from '../../services/deliveries.js';
import { dropUncertain, resendCampaign } from '../../services/resend.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { connectionOf } from './connection.js';
import { Contact } from './contact.js';
import { FailureClassEnum } from './enums.js';
import { InboundMessage } from './inbound.js';

export const DeliveryStateEnum = builder.enumType('DeliveryState', {
  values: Object.fromEntries(deliveryStates.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    string,
    { value: (typeof deliveryStates)[number] }
  >,
});

const ResendableStateEnum = builder.enumType('ResendableState', {
  values: { FAILED: { value: 'failed' as const }, UNCERTAIN: { value: 'uncertain' as const } },
});

const Attempt = builder.objectRef<DeliveryView['attempts'][number]>('DeliveryAttempt').implement({
  description: 'One provider call for one recipient',
  fields: (t) => ({
    attempt: t.exposeInt('attempt', { description: 'Attempt number on this channel' }),
    channel: t.exposeString('channel'),
    account: t.exposeString('account', { nullable: true }),
    status: t.exposeString('status', {
      description: 'sent, failed, awaiting_confirmation, uncertain or filtered',
    }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true }),
    failureClass: t.field({
      type: FailureClassEnum,
      nullable: true,
      resolve: (a) => a.failureClass as never,
    }),
    error: t.exposeString('error', { nullable: true }),
    note: t.exposeString('note', {
      nullable: true,
      description:
        'Why this account sent it, where the channel chose a sender per recipient (WeCom customers)',
    }),
    at: t.field({ type: 'DateTime', resolve: (a) => a.at }),
  }),
});

const Delivery = builder.objectRef<DeliveryView>('Delivery').implement({
  description: 'One recipient of a campaign',
  fields: (t) => ({
    id: t.exposeID('id'),
    campaignId: t.exposeID('campaignId'),
    campaignName: t.exposeString('campaignName'),
    contactId: t.exposeID('contactId'),
    contactName: t.exposeString('contactName', { nullable: true }),
    variantId: t.exposeID('variantId', {
      nullable: true,
      description: 'Null in an A/B test hold-out, and in its rest until the winner is decided',
    }),
    channel: t.exposeString('channel', { nullable: true }),
    state: t.field({ type: DeliveryStateEnum, resolve: (d) => d.state }),
    failureClass: t.field({
      type: FailureClassEnum,
      nullable: true,
      resolve: (d) => d.failureClass as never,
    }),
    suppressionReason: t.exposeString('suppressionReason', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true }),
    resolution: t.exposeString('resolution', {
      nullable: true,
      description: 'resent or dropped: an operator already decided on this delivery',
    }),
    attempts: t.field({ type: [Attempt], resolve: (d) => d.attempts }),
    replies: t.field({
      type: [InboundMessage],
      description: 'What the contact answered to it, oldest first',
      resolve: (d, _args, ctx) => deliveryReplies(ctx.deps, d),
    }),
    updatedAt: t.field({ type: 'DateTime', resolve: (d) => d.updatedAt }),
  }),
});

const DeliveryConnection = connectionOf('Delivery', Delivery);

builder.objectField(Campaign, 'deliveries', (t) =>
  t.field({
    type: DeliveryConnection,
    args: {
      states: t.arg({ type: [DeliveryStateEnum], required: false }),
      first: t.arg.int({ required: false, defaultValue: 50 }),
      after: t.arg.string({ required: false }),
    },
    resolve: (campaign, args, ctx) =>
      listDeliveries(ctx.deps, ctx.principal, campaign.id, {
        first: args.first ?? 50,
        after: args.after,
        states: args.states,
      }),
  }),
);

builder.objectField(Contact, 'deliveries', (t) =>
  t.field({
    type: DeliveryConnection,
    description: "The contact's deliveries across campaigns, newest first",
    args: {
      first: t.arg.int({ required: false, defaultValue: 20, description: 'At most 100' }),
      after: t.arg.string({ required: false }),
    },
    resolve: (contact, args, ctx) =>
      listContactDeliveries(ctx.deps, ctx.principal, contact.id, {
        first: args.first ?? 20,
        after: args.after,
      }),
  }),
);

builder.objectField(Campaign, 'resendOf', (t) =>
  t.field({
    type: Campaign,
    nullable: true,
    description: 'The campaign this run resends to',
    resolve: (campaign, _args, ctx) =>
      campaign.resendOf ? ctx.deps.store.getCampaign(campaign.resendOf.campaignId) : null,
  }),
);

builder.mutationFields((t) => ({
  resendCampaign: t.field({
    type: Campaign,
    description:
      'Sends an ended campaign again to exactly its failed and/or uncertain recipients, as a new run; each is resent at most once.',
    args: {
      id: t.arg.id(),
      name: t.arg.string({
        required: false,
        description:
          "The run's name, 1–200 characters (the console sends one in the operator's language); default '<source name> · 重发 resend'",
      }),
      states: t.arg({ type: [ResendableStateEnum] }),
      failureClasses: t.arg({
        type: [FailureClassEnum],
        required: false,
        description:
          'Failed recipients of these classes only. Default: the transient ones (RATE_LIMITED, NETWORK, ACCOUNT_RESTRICTED, UNKNOWN) — an invalid recipient, a block or a rejected content is not resent unless asked',
      }),
    },
    resolve: (_root, args, ctx) =>
      resendCampaign(ctx.deps, ctx.principal, String(args.id), {
        name: args.name,
        states: args.states,
        failureClasses: args.failureClasses,
      }),
  }),
  dropUncertain: t.int({
    description:
      'Marks the campaign’s uncertain deliveries failed (they may have been sent): never resent. Returns how many.',
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => dropUncertain(ctx.deps, ctx.principal, String(args.id)),
  }),
}));
