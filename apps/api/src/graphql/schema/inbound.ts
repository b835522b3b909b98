import { inboundMediaTypes } from '@qunfa/core';
import { getContact } from '../../services/contacts.js';
import {
  type InboundMessageRow,
  inboundMessagesById,
  inboundMessageUpdates,
  listInboundMessages,
  recordInboundMessage,
  recordSmsReply,
} from '../../services/inbound/inbound-messages.js';
import type { InboundRecordResult } from '../../services/inbound/record-inbound.js';
import { builder } from '../builder.js';
import { connectionOf } from './connection.js';
import { Contact } from './contact.js';
import { IdentityKindEnum } from './enums.js';

const InboundMediaTypeEnum = builder.enumType('InboundMediaType', {
  values: Object.fromEntries(inboundMediaTypes.map((v) => [v.toUpperCase(), { value: v }])) as Record<
    string,
    { value: (typeof inboundMediaTypes)[number] }
  >,
});

const InboundMedia = builder.objectRef<{ type: string; ref: string }>('InboundMedia').implement({
  description: "Media a contact sent, by the provider's reference (never stored)",
  fields: (t) => ({
    type: t.field({ type: InboundMediaTypeEnum, resolve: (m) => m.type as never }),
    ref: t.exposeString('ref'),
  }),
});

export const InboundMessage = builder.objectRef<InboundMessageRow>('InboundMessage').implement({
  description: 'A message a contact sent (a reply), over a channel or reported over the API',
  fields: (t) => ({
    id: t.exposeID('id'),
    channel: t.exposeString('channel', { description: '`api` when reported without a channel' }),
    account: t.exposeString('account', {
      nullable: true,
      description: 'The sender account that received it',
    }),
    providerMessageId: t.exposeString('providerMessageId'),
    identityKind: t.field({ type: IdentityKindEnum, resolve: (m) => m.identityKind as never }),
    contactId: t.id({ resolve: (m) => m.contactId }),
    contact: t.field({
      type: Contact,
      nullable: true,
      resolve: (m, _args, ctx) => getContact(ctx.deps, ctx.principal, String(m.contactId)).catch(() => null),
    }),
    campaignId: t.id({
      nullable: true,
      description: 'The campaign that last reached the contact on this channel within the attribution window',
      resolve: (m) => m.campaignId,
    }),
    deliveryId: t.id({ nullable: true, resolve: (m) => m.deliveryId }),
    groupId: t.exposeString('groupId', { nullable: true, description: 'The group chat it was said in' }),
    text: t.exposeString('text'),
    media: t.field({ type: [InboundMedia], resolve: (m) => m.media }),
    unsubscribed: t.boolean({
      description: 'It was an unsubscribe reply ("TD", "退订"), and the contact was suppressed',
      resolve: (m) => m.action === 'unsubscribed',
    }),
    sentAt: t.field({ type: 'DateTime', resolve: (m) => m.sentAt }),
    receivedAt: t.field({ type: 'DateTime', resolve: (m) => m.receivedAt }),
  }),
});

const InboundMessageConnection = connectionOf('InboundMessage', InboundMessage);

const InboundRecordResultRef = builder
  .objectRef<InboundRecordResult & { workspaceId: number }>('InboundRecordResult')
  .implement({
    description: 'What recording an inbound message did',
    fields: (t) => ({
      recorded: t.exposeInt('recorded', {
        description: 'Stored (1), or 0 for a duplicate or an unknown sender',
      }),
      duplicate: t.boolean({ resolve: (r) => r.duplicates > 0 }),
      unknownSender: t.boolean({
        description: 'No contact of the workspace has that identity: nothing was stored',
        resolve: (r) => r.unknownSenders > 0,
      }),
      attributed: t.boolean({ resolve: (r) => r.attributed > 0 }),
      unsubscribed: t.int({
        description: 'Contacts newly unsubscribed by it',
        resolve: (r) => r.unsubscribed,
      }),
      message: t.field({
        type: InboundMessage,
        nullable: true,
        resolve: async (r, _args, ctx) => {
          const id = r.ids[0];
          if (id === null || id === undefined) return null;
          const [row] = await inboundMessagesById(ctx.deps, r.workspaceId, [id]);
          return row ?? null;
        },
      }),
    }),
  });

const InboundMessageInput = builder.inputType('InboundMessageInput', {
  fields: (t) => ({
    channel: t.string({
      required: false,
      description: 'The channel it came over (`channel:…`); absent: any',
    }),
    fromKind: t.field({ type: IdentityKindEnum }),
    fromValue: t.string(),
    text: t.string(),
    at: t.field({ type: 'DateTime', required: false, description: 'When it was sent; default now' }),
    providerMessageId: t.string({
      required: false,
      description: 'Idempotency: the same id on the same channel is recorded once',
    }),
    account: t.string({ required: false }),
    groupId: t.string({ required: false }),
  }),
});

builder.queryField('inboundMessages', (t) =>
  t.field({
    type: InboundMessageConnection,
    description: "The workspace's inbound messages (replies), newest first",
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      campaignId: t.arg.id({ required: false }),
      channel: t.arg.string({ required: false }),
      contactId: t.arg.id({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      listInboundMessages(ctx.deps, ctx.principal, {
        ...(args.first === null || args.first === undefined ? {} : { first: args.first }),
        after: args.after ?? null,
        campaignId:
          args.campaignId === null || args.campaignId === undefined ? null : String(args.campaignId),
        channel: args.channel ?? null,
        contactId: args.contactId === null || args.contactId === undefined ? null : String(args.contactId),
      }),
  }),
);

builder.subscriptionField('inboundMessageReceived', (t) =>
  t.field({
    type: InboundMessage,
    description: 'Each inbound message of the workspace as it is recorded, from any process',
    subscribe: (_root, _args, ctx) => inboundMessageUpdates(ctx.deps, ctx.principal),
    resolve: (row: InboundMessageRow) => row,
  }),
);

builder.mutationFields((t) => ({
  recordInboundMessage: t.field({
    type: InboundRecordResultRef,
    description:
      'A message a contact sent, reported by a partner: matched, attributed and acted on ("TD" unsubscribes) like a channel’s',
    args: { input: t.arg({ type: InboundMessageInput }) },
    resolve: async (_root, { input }, ctx) => ({
      ...(await recordInboundMessage(ctx.deps, ctx.principal, {
        channel: input.channel ?? null,
        from: { kind: input.fromKind, value: input.fromValue },
        text: input.text,
        at: input.at ?? null,
        providerMessageId: input.providerMessageId ?? null,
        account: input.account ?? null,
        groupId: input.groupId ?? null,
      })),
      workspaceId: ctx.principal!.workspaceId,
    }),
  }),
  recordSmsReply: t.field({
    type: InboundRecordResultRef,
    description:
      'An inbound SMS reply from a phone: recorded as an inbound message; "TD", "退订" and the like unsubscribe it',
    args: { phone: t.arg.string(), text: t.arg.string() },
    resolve: async (_root, args, ctx) => ({
      ...(await recordSmsReply(ctx.deps, ctx.principal, { phone: args.phone, text: args.text })),
      workspaceId: ctx.principal!.workspaceId,
    }),
  }),
}));
