import type { AccountPolicy, AccountView, LoginEvent } from '@qunfa/channels';
import {
  addWechatPersonalAccount,
  endWechatPersonalCooldown,
  listWechatPersonalAccounts,
  loginWechatPersonalAccount,
  logoutWechatPersonalAccount,
  reportWechatPersonalSignals,
  setWechatPersonalPolicy,
  syncWechatPersonalFriends,
  wechatPersonalLoginEvents,
} from '../../services/wechat-personal.js';
import { builder } from '../builder.js';

type Part = AccountView['health']['parts'][number];
type Signals = AccountView['signals'];
type Usage = AccountView['usage'];

const HealthPartRef = builder.objectRef<Part>('WechatHealthPart').implement({
  description: 'Points one signal takes off the health score',
  fields: (t) => ({
    signal: t.exposeString('signal'),
    penalty: t.exposeFloat('penalty'),
    detail: t.exposeString('detail'),
  }),
});

const SignalsRef = builder.objectRef<Signals>('WechatHealthSignals').implement({
  description:
    "The health score's inputs; null: not known. Only friend deletions come from the puppet; devices, IP changes, forwards, reports and payment are entered by an operator",
  fields: (t) => ({
    devicesLoggedIn: t.int({ nullable: true, resolve: (s) => s.devicesLoggedIn }),
    ipChanges7d: t.int({ nullable: true, resolve: (s) => s.ipChanges7d }),
    forwardRatio: t.float({ nullable: true, resolve: (s) => s.forwardRatio }),
    friendDeletions24h: t.int({ nullable: true, resolve: (s) => s.friendDeletions24h }),
    friends: t.int({ nullable: true, resolve: (s) => s.friends }),
    reports30d: t.int({ nullable: true, resolve: (s) => s.reports30d }),
    paymentFlagged: t.boolean({ nullable: true, resolve: (s) => s.paymentFlagged }),
    cooldowns7d: t.exposeInt('cooldowns7d'),
    sentToday: t.exposeInt('sentToday'),
    failedToday: t.exposeInt('failedToday'),
    budgetToday: t.exposeInt('budgetToday'),
  }),
});

const UsageRef = builder.objectRef<Usage>('WechatPersonalUsage').implement({
  description: "Today's counts, shared by every worker",
  fields: (t) => ({
    massSends: t.exposeInt('massSends'),
    friendMessages: t.exposeInt('friendMessages'),
    groupMessages: t.exposeInt('groupMessages'),
    images: t.exposeInt('images'),
    sent: t.exposeInt('sent'),
    failed: t.exposeInt('failed'),
  }),
});

const PolicyRef = builder.objectRef<AccountPolicy>('WechatPersonalPolicy').implement({
  description: "An account's limits policy, the channel's defaults with its overrides",
  fields: (t) => ({
    recipientsPerSend: t.exposeInt('recipientsPerSend'),
    massSendsPerDay: t.exposeInt('massSendsPerDay'),
    maxTextLength: t.exposeInt('maxTextLength'),
    delayMinMs: t.int({ resolve: (p) => p.delayMs.min }),
    delayMaxMs: t.int({ resolve: (p) => p.delayMs.max }),
    warmUpDays: t.int({ resolve: (p) => p.warmUp.days }),
    warmUpDailyRecipients: t.int({ resolve: (p) => p.warmUp.dailyRecipients }),
    friendMessagesPerDay: t.int({ resolve: (p) => p.budgets.friendMessages }),
    groupMessagesPerDay: t.int({ resolve: (p) => p.budgets.groupMessages }),
    imagesPerDay: t.int({ resolve: (p) => p.budgets.images }),
    cooldownMs: t.exposeFloat('cooldownMs'),
    minHealthScore: t.exposeFloat('minHealthScore'),
  }),
});

const AccountRef = builder.objectRef<AccountView>('WechatPersonalAccount').implement({
  description: 'A personal WeChat account of the workspace, driven through a Wechaty puppet',
  fields: (t) => ({
    id: t.exposeString('id'),
    label: t.exposeString('label', { nullable: true }),
    puppet: t.exposeString('puppet'),
    status: t.string({
      description: 'logged_out, waiting_for_scan, logged_in, cooling or paused',
      resolve: (a) => a.status,
    }),
    reason: t.exposeString('reason', { nullable: true }),
    selfId: t.exposeString('selfId', { nullable: true }),
    firstLoginAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.firstLoginAt }),
    lastLoginAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.lastLoginAt }),
    warmingUp: t.exposeBoolean('warmingUp'),
    cooldownUntil: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.cooldownUntil }),
    healthScore: t.float({ resolve: (a) => a.health.score }),
    healthParts: t.field({ type: [HealthPartRef], resolve: (a) => a.health.parts }),
    signals: t.field({ type: SignalsRef, resolve: (a) => a.signals }),
    usage: t.field({ type: UsageRef, resolve: (a) => a.usage }),
    policy: t.field({ type: PolicyRef, resolve: (a) => a.policy }),
  }),
});

const LoginEventRef = builder.objectRef<LoginEvent>('WechatPersonalLoginEvent').implement({
  description: 'A step of a login: a QR code to show (scan), its status, then login; or logout / error',
  fields: (t) => ({
    account: t.exposeString('account'),
    type: t.exposeString('type'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    qrcode: t.string({ nullable: true, resolve: (e) => (e.type === 'scan' ? e.qrcode : null) }),
    status: t.string({ nullable: true, resolve: (e) => (e.type === 'scan' ? e.status : null) }),
    userId: t.string({ nullable: true, resolve: (e) => (e.type === 'login' ? e.userId : null) }),
    message: t.string({
      nullable: true,
      resolve: (e) => (e.type === 'error' ? e.message : e.type === 'logout' ? e.reason : null),
    }),
  }),
});

const PolicyInput = builder.inputType('WechatPersonalPolicyInput', {
  description: 'Fields left out keep their value',
  fields: (t) => ({
    recipientsPerSend: t.int({ required: false }),
    massSendsPerDay: t.int({ required: false }),
    maxTextLength: t.int({ required: false }),
    delayMinMs: t.int({ required: false }),
    delayMaxMs: t.int({ required: false }),
    warmUpDays: t.int({ required: false }),
    warmUpDailyRecipients: t.int({ required: false }),
    friendMessagesPerDay: t.int({ required: false }),
    groupMessagesPerDay: t.int({ required: false }),
    imagesPerDay: t.int({ required: false }),
    cooldownMs: t.float({ required: false }),
    minHealthScore: t.float({ required: false }),
  }),
});

const SignalsInput = builder.inputType('WechatHealthSignalsInput', {
  description: 'Signals the puppet cannot give, as an operator knows them; null clears one',
  fields: (t) => ({
    devicesLoggedIn: t.int({ required: false }),
    ipChanges7d: t.int({ required: false }),
    forwardRatio: t.float({ required: false }),
    reports30d: t.int({ required: false }),
    paymentFlagged: t.boolean({ required: false }),
  }),
});

type PolicyArgs = typeof PolicyInput.$inferInput;

/** The flat GraphQL input as the channel's nested policy patch; a pair left half out keeps the other half. */
function policyPatch(input: PolicyArgs, current: AccountPolicy) {
  const def = <T>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v);
  const delay =
    input.delayMinMs != null || input.delayMaxMs != null
      ? {
          min: def(input.delayMinMs) ?? current.delayMs.min,
          max: def(input.delayMaxMs) ?? current.delayMs.max,
        }
      : undefined;
  const warmUp =
    input.warmUpDays != null || input.warmUpDailyRecipients != null
      ? {
          days: def(input.warmUpDays) ?? current.warmUp.days,
          dailyRecipients: def(input.warmUpDailyRecipients) ?? current.warmUp.dailyRecipients,
        }
      : undefined;
  const budgets =
    input.friendMessagesPerDay != null || input.groupMessagesPerDay != null || input.imagesPerDay != null
      ? {
          friendMessages: def(input.friendMessagesPerDay) ?? current.budgets.friendMessages,
          groupMessages: def(input.groupMessagesPerDay) ?? current.budgets.groupMessages,
          images: def(input.imagesPerDay) ?? current.budgets.images,
        }
      : undefined;
  return Object.fromEntries(
    Object.entries({
      recipientsPerSend: def(input.recipientsPerSend),
      massSendsPerDay: def(input.massSendsPerDay),
      maxTextLength: def(input.maxTextLength),
      delayMs: delay,
      warmUp,
      budgets,
      cooldownMs: def(input.cooldownMs),
      minHealthScore: def(input.minHealthScore),
    }).filter(([, v]) => v !== undefined),
  );
}

builder.queryField('wechatPersonalAccounts', (t) =>
  t.field({
    type: [AccountRef],
    description:
      "The workspace's personal WeChat accounts, healthiest first; empty when the channel is not enabled",
    resolve: async (_root, _args, ctx) =>
      (await listWechatPersonalAccounts(ctx.deps, ctx.principal)).sort(
        (a, b) => b.health.score - a.health.score,
      ),
  }),
);

builder.mutationFields((t) => ({
  addWechatPersonalAccount: t.field({
    type: AccountRef,
    description: 'Admin: registers an account driven by a puppet profile of the config; logged out',
    args: { id: t.arg.string(), puppet: t.arg.string(), label: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) => addWechatPersonalAccount(ctx.deps, ctx.principal, args),
  }),
  loginWechatPersonalAccount: t.field({
    type: AccountRef,
    description: 'Admin: starts the puppet; follow `wechatPersonalLogin` for the QR code',
    args: { id: t.arg.string() },
    resolve: (_root, { id }, ctx) => loginWechatPersonalAccount(ctx.deps, ctx.principal, id),
  }),
  logoutWechatPersonalAccount: t.field({
    type: AccountRef,
    description: 'Admin: logs the account out; it stays logged out across restarts',
    args: { id: t.arg.string() },
    resolve: (_root, { id }, ctx) => logoutWechatPersonalAccount(ctx.deps, ctx.principal, id),
  }),
  setWechatPersonalPolicy: t.field({
    type: AccountRef,
    description: "Admin: changes an account's limits policy (INVALID_INPUT past the allowed ranges)",
    args: { id: t.arg.string(), policy: t.arg({ type: PolicyInput }) },
    resolve: async (_root, { id, policy }, ctx) => {
      const current = (await listWechatPersonalAccounts(ctx.deps, ctx.principal)).find((a) => a.id === id);
      return setWechatPersonalPolicy(
        ctx.deps,
        ctx.principal,
        id,
        current ? policyPatch(policy, current.policy) : policy,
      );
    },
  }),
  reportWechatPersonalSignals: t.field({
    type: AccountRef,
    description:
      'Admin: health signals the puppet cannot give (devices, IP changes, forwards, reports, payment)',
    args: { id: t.arg.string(), signals: t.arg({ type: SignalsInput }) },
    resolve: (_root, { id, signals }, ctx) =>
      reportWechatPersonalSignals(ctx.deps, ctx.principal, id, signals),
  }),
  endWechatPersonalCooldown: t.field({
    type: AccountRef,
    description: "Admin: ends an account's cool-down early",
    args: { id: t.arg.string() },
    resolve: (_root, { id }, ctx) => endWechatPersonalCooldown(ctx.deps, ctx.principal, id),
  }),
  syncWechatPersonalFriends: t.field({
    type: AccountRef,
    description:
      "Admin: reads a logged-in account's friend list now (friend count and deletions; its friends become relations through it at the worker's next poll, one who deleted it is ended), instead of at the hourly sweep",
    args: { id: t.arg.string() },
    resolve: (_root, { id }, ctx) => syncWechatPersonalFriends(ctx.deps, ctx.principal, id),
  }),
}));

builder.subscriptionField('wechatPersonalLogin', (t) =>
  t.field({
    type: LoginEventRef,
    description: "Admin: an account's login as it happens — the QR code to scan, its status, then the login",
    args: { id: t.arg.string() },
    subscribe: (_root, { id }, ctx) => wechatPersonalLoginEvents(ctx.deps, ctx.principal, id),
    resolve: (event: LoginEvent) => event,
  }),
);
