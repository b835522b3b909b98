import {
  type AccountHealth,
  accountHealthStates,
  type ChannelLimits,
  type SmsProfile,
  type SmsTemplateSpec,
  smsTemplateVariables,
} from '@qunfa/core';
import { listChannels, setSenderAccountHealth } from '../../services/channels.js';
import { channelQuotaToday, type QuotaToday, quotaToday } from '../../services/sender-quotas.js';
import { builder } from '../builder.js';
import { IdentityKindEnum } from './enums.js';

const AccountHealthStateEnum = builder.enumType('AccountHealthState', {
  values: Object.fromEntries(accountHealthStates.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    string,
    { value: AccountHealth['state'] }
  >,
});

const SenderQuota = builder.objectRef<QuotaToday>('SenderQuota').implement({
  description: "A daily quota today, as the workers' shared limiter counts it (the engine's calendar day)",
  fields: (t) => ({
    limit: t.exposeInt('limit', { description: 'Sends a day' }),
    used: t.exposeInt('used', { description: 'Taken today (a send that did not happen is given back)' }),
    left: t.exposeInt('left'),
    resetsAt: t.field({ type: 'DateTime', description: 'The next midnight', resolve: (q) => q.resetsAt }),
  }),
});

const SenderAccount = builder.objectRef<AccountHealth>('SenderAccount').implement({
  description: 'A sender account of a channel and its health; cooling ends by itself at `until`',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    account: t.exposeString('account'),
    state: t.field({ type: AccountHealthStateEnum, resolve: (a) => a.state }),
    until: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.until }),
    reason: t.exposeString('reason', { nullable: true }),
    quotaToday: t.field({
      type: SenderQuota,
      nullable: true,
      description:
        'Its daily quota used and left today; null: the channel has none, or the limiter did not answer',
      resolve: (a, _args, ctx) => quotaToday(ctx.deps, a.channel, a.account),
    }),
  }),
});

const SmsTemplateRef = builder.objectRef<SmsTemplateSpec & { name: string }>('SmsTemplate').implement({
  description: "An approved SMS template (短信模板) of the channel's account",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What a variant names as its subject' }),
    id: t.exposeString('id', { description: "The provider's template code" }),
    text: t.string({
      nullable: true,
      description: 'The approved text with its placeholders, when the registry has it',
      resolve: (s) => s.text ?? null,
    }),
    kind: t.string({
      nullable: true,
      description: 'marketing, notification or verification',
      resolve: (s) => s.kind ?? null,
    }),
    variables: t.stringList({
      description:
        'What the template asks for, in order: placeholder names, or positions 1, 2… for {1}, {2}; empty without a text',
      resolve: (s) => {
        if (s.text === undefined) return [];
        const v = smsTemplateVariables(s.text);
        return v.kind === 'named' ? v.names : Array.from({ length: v.count }, (_, i) => String(i + 1));
      },
    }),
  }),
});

const SmsProfileRef = builder.objectRef<SmsProfile>('SmsProfile').implement({
  description: 'An SMS channel in mainland China sends approved templates under an approved sign name',
  fields: (t) => ({
    signName: t.exposeString('signName', { description: 'Carriers bill 【signName】 as part of the text' }),
    templates: t.field({
      type: [SmsTemplateRef],
      resolve: (p) => Object.entries(p.templates).map(([name, spec]) => ({ name, ...spec })),
    }),
  }),
});

const ChannelLimitsRef = builder.objectRef<ChannelLimits>('ChannelLimits').implement({
  fields: (t) => ({
    sms: t.field({
      type: SmsProfileRef,
      nullable: true,
      description: "An SMS channel's sign name and template registry; null for other channels",
      resolve: (l) => l.sms ?? null,
    }),
    maxRecipientsPerSend: t.exposeInt('maxRecipientsPerSend'),
    maxSendsPerDay: t.int({ nullable: true, resolve: (l) => l.maxSendsPerDay ?? null }),
    ratePerSecond: t.float({ nullable: true, resolve: (l) => l.ratePerSecond ?? null }),
    contentTypes: t.stringList({ resolve: (l) => l.contentTypes }),
    maxTextLength: t.int({ nullable: true, resolve: (l) => l.maxTextLength ?? null }),
    receipts: t.exposeBoolean('receipts'),
    recall: t.exposeBoolean('recall'),
    idempotencyKeys: t.exposeBoolean('idempotencyKeys'),
  }),
});

type ChannelShape = Awaited<ReturnType<typeof listChannels>>[number];

const Channel = builder.objectRef<ChannelShape>('Channel').implement({
  description: 'A loaded channel plugin',
  fields: (t) => ({
    name: t.exposeString('name'),
    limits: t.field({ type: ChannelLimitsRef, resolve: (c) => c.limits }),
    identityKinds: t.field({ type: [IdentityKindEnum], resolve: (c) => c.identityKinds as never }),
    accounts: t.field({ type: [SenderAccount], resolve: (c) => c.accounts }),
    quotaToday: t.field({
      type: SenderQuota,
      nullable: true,
      description:
        'The daily quota used and left today over all its sender accounts (its one implicit account when it names none)',
      resolve: (c, _args, ctx) => channelQuotaToday(ctx.deps, c.name),
    }),
  }),
});

builder.queryField('channels', (t) =>
  t.field({ type: [Channel], resolve: (_root, _args, ctx) => listChannels(ctx.deps, ctx.principal) }),
);

builder.mutationField('setSenderAccountHealth', (t) =>
  t.field({
    type: SenderAccount,
    description: 'Admin only: restrict an account, cool it down until a time, or mark it healthy again.',
    args: {
      channel: t.arg.string(),
      account: t.arg.string(),
      state: t.arg({ type: AccountHealthStateEnum }),
      until: t.arg({ type: 'DateTime', required: false }),
      reason: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) => setSenderAccountHealth(ctx.deps, ctx.principal, args),
  }),
);
