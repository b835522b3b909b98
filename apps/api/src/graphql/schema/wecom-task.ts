import { type WecomCapPreview, wecomCapPreview } from '../../services/wecom/cap-preview.js';
import {
  cancelWecomTask,
  remindWecomTask,
  type WecomTaskView,
  wecomTasksOf,
} from '../../services/wecom/customer-tasks.js';
import { wecomGroupHealth } from '../../services/wecom/group-health.js';
import { type WecomGroupReach, wecomGroupReach } from '../../services/wecom/group-reach.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { Contact } from './contact.js';

const states = ['waiting', 'confirmed', 'partly_sent', 'cancelled', 'unknown'] as const;

const WecomTaskStateEnum = builder.enumType('WecomTaskState', {
  description: 'What the sender has done with a WeCom customer mass-send task',
  values: {
    WAITING: { value: 'waiting', description: 'Not confirmed in the WeCom client yet' },
    CONFIRMED: { value: 'confirmed', description: 'Confirmed; every customer has a result' },
    PARTLY_SENT: {
      value: 'partly_sent',
      description: 'Confirmed; some customers have a result, others not yet',
    },
    CANCELLED: { value: 'cancelled', description: 'Stopped (by an operator or the confirmation deadline)' },
    UNKNOWN: {
      value: 'unknown',
      description: 'The channel no longer keeps the task (past the 30-day query window)',
    },
  } satisfies Record<string, { value: (typeof states)[number]; description: string }>,
});

const WecomTask = builder.objectRef<WecomTaskView>('WecomTask').implement({
  description:
    'One WeCom customer mass-send task of a campaign (企业群发, add_msg_template): one sender, their customers, and how far it got',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    sender: t.exposeString('sender', {
      description: "The staff member's userid (a group task's: the groups' owner)",
    }),
    toGroups: t.exposeBoolean('toGroups', {
      description: 'A task to customer groups (chat_type group) rather than to customers',
    }),
    msgid: t.exposeString('msgid', { description: "WeCom's task id" }),
    state: t.field({ type: WecomTaskStateEnum, resolve: (v) => v.state }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.createdAt }),
    deadlineAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the confirmation deadline cancels it; null without one, or once confirmed or cancelled',
      resolve: (v) => v.deadlineAt,
    }),
    remindersLeft: t.exposeInt('remindersLeft', {
      description: 'Reminders still allowed in the last 24 hours (3 a day)',
    }),
    recipients: t.exposeInt('recipients'),
    awaiting: t.exposeInt('awaiting', { description: 'Waiting for the sender' }),
    delivered: t.exposeInt('delivered', { description: 'Result 1: it reached the customer' }),
    filtered: t.exposeInt('filtered', { description: "Result 3: the customer's platform cap of the period" }),
    failed: t.exposeInt('failed', {
      description: 'Result 2 (no longer a customer of the sender) or another failure',
    }),
    escalated: t.exposeInt('escalated', { description: 'Handed to the next channel of the plan' }),
  }),
});

const WecomGroupReachRef = builder.objectRef<WecomGroupReach>('WecomGroupReach').implement({
  description:
    "A campaign's reach in WeCom customer groups (客户群): the groups WeCom reported sent and their members then",
  fields: (t) => ({
    channel: t.exposeString('channel'),
    groups: t.exposeInt('groups', { description: 'Groups the message reached (result 1)' }),
    members: t.exposeInt('members', {
      description:
        "Members of those groups when WeCom reported them sent (the sync's count kept current by membership callbacks)",
    }),
    unknownMembers: t.exposeInt('unknownMembers', {
      description: 'Reached groups whose member count was unknown (not counted in members)',
    }),
  }),
});

const WecomGroupHealthRef = builder
  .objectRef<NonNullable<Awaited<ReturnType<typeof wecomGroupHealth>>>>('WecomGroupHealth')
  .implement({
    description:
      'A WeCom customer group in a month (China time): members, joins and leaves from the sync and membership callbacks, 退群率',
    fields: (t) => ({
      month: t.exposeString('month', { description: 'YYYY-MM' }),
      members: t.int({
        nullable: true,
        description: 'Members now; null when unknown',
        resolve: (h) => h.members,
      }),
      joins: t.exposeInt('joins'),
      leaves: t.exposeInt('leaves'),
      quitRate: t.float({
        nullable: true,
        description: "Leaves over the members at the month's start (退群率); null when unknown",
        resolve: (h) => h.quitRate,
      }),
      healthy: t.boolean({
        nullable: true,
        description: '退群率 under 5 %; null when unknown',
        resolve: (h) => h.healthy,
      }),
    }),
  });

builder.objectFields(Contact, (t) => ({
  wecomGroupHealth: t.field({
    type: WecomGroupHealthRef,
    nullable: true,
    description:
      "A customer group's health (null for a person; CHANNEL_NOT_FOUND when the channel is not a loaded WeCom corp)",
    deprecationReason:
      'Customer groups are no longer Contacts (contact and contacts answer persons only), so this is always null: read CustomerGroup.health (customerGroups, customerGroup)',
    args: {
      channel: t.arg.string({ required: false, defaultValue: 'channel:wecom' }),
      month: t.arg.string({ required: false, description: 'YYYY-MM, China time; default this month' }),
    },
    resolve: (contact, args, ctx) =>
      wecomGroupHealth(ctx.deps, ctx.principal, contact, args.channel ?? 'channel:wecom', args.month),
  }),
}));

const WecomCapPreviewRef = builder.objectRef<WecomCapPreview>('WecomCapPreview').implement({
  description:
    "Before a start: how many of the campaign's WeCom customers the platform's per-customer cap of mass messages would drop",
  fields: (t) => ({
    channel: t.exposeString('channel'),
    period: t.exposeString('period', {
      description:
        'The period now, China time: m2025-03 (month), w2025-03-10 (week from Monday) or d2025-03-10',
    }),
    limit: t.exposeInt('limit', {
      description:
        'Mass messages a customer may receive in the period (days of the month, 7 a week or 1 a day)',
    }),
    customers: t.exposeInt('customers', {
      description:
        'Sendable contacts of the audience with a WeCom external_userid, and customer groups (WeCom caps each group as a customer)',
    }),
    atCap: t.exposeInt('atCap', {
      description: "Already at the limit from this corp's earlier campaigns: WeCom would answer 3 (filtered)",
    }),
  }),
});

builder.objectFields(Campaign, (t) => ({
  wecomCapPreview: t.field({
    type: WecomCapPreviewRef,
    description:
      "How many of the audience's WeCom customers are at the platform cap already (CHANNEL_NOT_FOUND when the channel is not a loaded WeCom corp)",
    deprecationReason:
      'Use Campaign.platformCaps: one entry per capped channel, WeCom and Official Accounts alike',
    args: { channel: t.arg.string({ required: false, defaultValue: 'channel:wecom' }) },
    resolve: (campaign, args, ctx) =>
      wecomCapPreview(ctx.deps, ctx.principal, campaign.id, args.channel ?? 'channel:wecom'),
  }),
  wecomGroupReach: t.field({
    type: WecomGroupReachRef,
    description:
      'Customer groups the campaign reached on a WeCom channel and their members (CHANNEL_NOT_FOUND when the channel is not a loaded WeCom corp)',
    args: { channel: t.arg.string({ required: false, defaultValue: 'channel:wecom' }) },
    resolve: (campaign, args, ctx) =>
      wecomGroupReach(ctx.deps, ctx.principal, campaign.id, args.channel ?? 'channel:wecom'),
  }),
  wecomTasks: t.field({
    type: [WecomTask],
    description: "The campaign's WeCom customer mass-send tasks, one per sender (and per 10,000 customers)",
    resolve: (campaign, _args, ctx) => wecomTasksOf(ctx.deps, ctx.principal, campaign.id),
  }),
}));

const WecomTaskInput = builder.inputType('WecomTaskInput', {
  fields: (t) => ({
    campaignId: t.id(),
    channel: t.string({ description: 'channel:wecom, or the name of another corp’s instance' }),
    msgid: t.string(),
  }),
});

builder.mutationField('remindWecomTask', (t) =>
  t.field({
    type: WecomTask,
    description:
      "Reminds the task's sender in the WeCom client (remind_groupmsg_send). A fourth reminder within 24 hours is RATE_LIMITED with retryAfterMs; a confirmed or cancelled task is INVALID_INPUT",
    args: { input: t.arg({ type: WecomTaskInput }) },
    resolve: (_root, { input }, ctx) =>
      remindWecomTask(ctx.deps, ctx.principal, { ...input, campaignId: String(input.campaignId) }),
  }),
);

builder.mutationField('cancelWecomTask', (t) =>
  t.field({
    type: WecomTask,
    description:
      'Stops the task (cancel_groupmsg_send): what its sender has not sent is never sent; its customers wait for the plan’s escalation',
    args: { input: t.arg({ type: WecomTaskInput }) },
    resolve: (_root, { input }, ctx) =>
      cancelWecomTask(ctx.deps, ctx.principal, { ...input, campaignId: String(input.campaignId) }),
  }),
);
