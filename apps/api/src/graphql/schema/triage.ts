import { replyClasses, triagePriorities, triageStatuses } from '@qunfa/core';
import { inboundMessagesById } from '../../services/inbound/inbound-messages.js';
import { followUpTemplate, setFollowUpTemplate } from '../../services/triage/follow-ups.js';
import {
  assignTriageItem,
  reopenTriageItem,
  resolveTriageItem,
  unassignTriageItem,
} from '../../services/triage/triage-actions.js';
import {
  listTriageItems,
  type TriageItemRow,
  type TriageSummary,
  triageSummary,
} from '../../services/triage/triage-items.js';
import {
  setWorkspaceTriagePolicy,
  type TriagePolicyEntry,
  workspaceTriagePolicy,
} from '../../services/triage/triage-policy-settings.js';
import { repliesOf, replyToTriageItem, type TriageReplyRow } from '../../services/triage/triage-reply.js';
import { type TriageItemChange, triageItemUpdates } from '../../services/triage/triage-updates.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { connectionOf } from './connection.js';
import { FailureClassEnum, upper } from './enums.js';
import { InboundMessage } from './inbound.js';

const ReplyClassEnum = builder.enumType('ReplyClass', { values: upper(replyClasses) });
const TriagePriorityEnum = builder.enumType('TriagePriority', { values: upper(triagePriorities) });
const TriageStatusEnum = builder.enumType('TriageStatus', { values: upper(triageStatuses) });

export const TriageItem = builder.objectRef<TriageItemRow>('TriageItem').implement({
  description: 'An inbound message to handle: its class, priority, reply deadline, assignee and status',
  fields: (t) => ({
    id: t.exposeID('id'),
    label: t.field({ type: ReplyClassEnum, resolve: (i) => i.label as never }),
    confidence: t.exposeFloat('confidence', { description: "0–1, the classifier's own" }),
    reasons: t.exposeStringList('reasons', { description: 'The cues that decided it (`negated:投诉`)' }),
    classifier: t.exposeString('classifier', {
      nullable: true,
      description: 'The plugin that classified it',
    }),
    priority: t.field({ type: TriagePriorityEnum, resolve: (i) => i.priority as never }),
    dueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Answer by then',
      resolve: (i) => i.dueAt,
    }),
    overdue: t.boolean({
      description: 'Past its deadline and not answered yet (new or assigned)',
      resolve: (i, _args, ctx) =>
        i.dueAt !== null &&
        (i.status === 'new' || i.status === 'assigned') &&
        i.dueAt.getTime() <= ctx.deps.clock.now().getTime(),
    }),
    status: t.field({ type: TriageStatusEnum, resolve: (i) => i.status as never }),
    assignee: t.exposeString('assignee', { nullable: true }),
    contactId: t.id({ resolve: (i) => i.contactId }),
    campaignId: t.id({ nullable: true, resolve: (i) => i.campaignId }),
    followUpCampaignId: t.id({
      nullable: true,
      description: 'The follow-up run an interested reply started (the workspace follow-up template)',
      resolve: (i) => i.followUpCampaignId,
    }),
    message: t.field({
      type: InboundMessage,
      resolve: async (i, _args, ctx) =>
        (await inboundMessagesById(ctx.deps, i.workspaceId, [i.inboundMessageId]))[0]!,
    }),
    repliedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.repliedAt }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.resolvedAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (i) => i.createdAt }),
  }),
});

const TriageItemConnection = connectionOf('TriageItem', TriageItem);

const TriageLabelCount = builder.objectRef<TriageSummary['byLabel'][number]>('TriageLabelCount').implement({
  fields: (t) => ({
    label: t.field({ type: ReplyClassEnum, resolve: (l) => l.label as never }),
    open: t.exposeInt('open'),
    overdue: t.exposeInt('overdue'),
  }),
});

const TriageSummaryRef = builder.objectRef<TriageSummary>('TriageSummary').implement({
  description: 'Open (new or assigned) and overdue items, now',
  fields: (t) => ({
    open: t.exposeInt('open'),
    overdue: t.exposeInt('overdue'),
    byLabel: t.field({ type: [TriageLabelCount], resolve: (s) => s.byLabel }),
  }),
});

const TriagePolicyEntryRef = builder.objectRef<TriagePolicyEntry>('TriagePolicyEntry').implement({
  fields: (t) => ({
    label: t.field({ type: ReplyClassEnum, resolve: (e) => e.label as never }),
    priority: t.field({ type: TriagePriorityEnum, resolve: (e) => e.priority }),
    replyWithinMinutes: t.exposeInt('replyWithinMinutes', {
      nullable: true,
      description: 'Null: no deadline',
    }),
  }),
});

const TriagePolicyInput = builder.inputType('TriagePolicyInput', {
  fields: (t) => ({
    label: t.field({ type: ReplyClassEnum }),
    priority: t.field({ type: TriagePriorityEnum, required: false }),
    replyWithinMinutes: t.int({ required: false, description: '1–10080' }),
    clearDeadline: t.boolean({ required: false, description: 'No deadline for this class' }),
  }),
});

const TriageReply = builder.objectRef<TriageReplyRow>('TriageReply').implement({
  description: "An operator's answer, sent over the channel the message came from",
  fields: (t) => ({
    id: t.exposeID('id'),
    channel: t.exposeString('channel'),
    text: t.exposeString('text'),
    status: t.exposeString('status', {
      description: 'sending, sent, failed or uncertain (the provider may have it: not sent again)',
    }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true }),
    failureClass: t.field({
      type: FailureClassEnum,
      nullable: true,
      resolve: (r) => r.failureClass as never,
    }),
    sentAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.sentAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
});

builder.objectField(TriageItem, 'replies', (t) =>
  t.field({
    type: [TriageReply],
    description: 'The answers sent to it, oldest first',
    resolve: (item, _args, ctx) => repliesOf(ctx.deps, item),
  }),
);

const TriageReplyResult = builder
  .objectRef<{ item: TriageItemRow; reply: TriageReplyRow }>('TriageReplyResult')
  .implement({
    fields: (t) => ({
      item: t.field({ type: TriageItem, resolve: (r) => r.item }),
      reply: t.field({ type: TriageReply, resolve: (r) => r.reply }),
    }),
  });

const TriageItemChangeRef = builder.objectRef<TriageItemChange>('TriageItemChange').implement({
  fields: (t) => ({
    change: t.exposeString('change', { description: 'created, assign, unassign, reply, resolve, reopen' }),
    item: t.field({ type: TriageItem, resolve: (c) => c.item }),
  }),
});

const TriageOrderEnum = builder.enumType('TriageOrder', {
  values: {
    DEADLINE: { value: 'deadline', description: 'Earliest reply deadline first (none last), then priority' },
    ARRIVAL: { value: 'arrival', description: 'Oldest first' },
  } as const,
});

builder.queryFields((t) => ({
  triageItems: t.field({
    type: TriageItemConnection,
    description:
      'The inbox: triage items to answer first on top — earliest reply deadline (overdue first), then priority — or oldest first (order: ARRIVAL); filtered',
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      status: t.arg({ type: [TriageStatusEnum], required: false }),
      label: t.arg({ type: [ReplyClassEnum], required: false }),
      priority: t.arg({ type: [TriagePriorityEnum], required: false }),
      assignee: t.arg.string({ required: false }),
      campaignId: t.arg.id({ required: false }),
      overdue: t.arg.boolean({ required: false }),
      order: t.arg({ type: TriageOrderEnum, required: false, defaultValue: 'deadline' }),
    },
    resolve: (_root, args, ctx) =>
      listTriageItems(ctx.deps, ctx.principal, {
        order: args.order ?? 'deadline',
        ...(args.first === null || args.first === undefined ? {} : { first: args.first }),
        after: args.after ?? null,
        status: (args.status as never) ?? null,
        label: (args.label as never) ?? null,
        priority: (args.priority as never) ?? null,
        assignee: args.assignee ?? null,
        campaignId:
          args.campaignId === null || args.campaignId === undefined ? null : String(args.campaignId),
        overdue: args.overdue ?? null,
      }),
  }),
  triageSummary: t.field({
    type: TriageSummaryRef,
    resolve: (_root, _args, ctx) => triageSummary(ctx.deps, ctx.principal),
  }),
  followUpTemplate: t.field({
    type: Campaign,
    nullable: true,
    description: 'The triggered template an interested reply runs for its contact',
    resolve: (_root, _args, ctx) => followUpTemplate(ctx.deps, ctx.principal),
  }),
  triagePolicy: t.field({
    type: [TriagePolicyEntryRef],
    description: "The workspace's priority and reply deadline per reply class",
    resolve: (_root, _args, ctx) => workspaceTriagePolicy(ctx.deps, ctx.principal),
  }),
}));

builder.mutationFields((t) => ({
  assignTriageItem: t.field({
    type: TriageItem,
    args: { id: t.arg.id(), assignee: t.arg.string() },
    resolve: (_root, args, ctx) =>
      assignTriageItem(ctx.deps, ctx.principal, { id: String(args.id), assignee: args.assignee }),
  }),
  unassignTriageItem: t.field({
    type: TriageItem,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => unassignTriageItem(ctx.deps, ctx.principal, String(args.id)),
  }),
  replyToTriageItem: t.field({
    type: TriageReplyResult,
    description:
      'Answers the contact over the channel the message came from; the same idempotency key never sends twice',
    args: { id: t.arg.id(), text: t.arg.string(), idempotencyKey: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) =>
      replyToTriageItem(ctx.deps, ctx.principal, {
        id: String(args.id),
        text: args.text,
        idempotencyKey: args.idempotencyKey ?? null,
      }),
  }),
  resolveTriageItem: t.field({
    type: TriageItem,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => resolveTriageItem(ctx.deps, ctx.principal, String(args.id)),
  }),
  reopenTriageItem: t.field({
    type: TriageItem,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => reopenTriageItem(ctx.deps, ctx.principal, String(args.id)),
  }),
  setFollowUpTemplate: t.field({
    type: Campaign,
    nullable: true,
    description:
      'Admins: the triggered template an interested reply runs, narrowed to its contact, once per campaign and contact (null: none)',
    args: { campaignId: t.arg.id({ required: false }) },
    resolve: (_root, args, ctx) =>
      setFollowUpTemplate(ctx.deps, ctx.principal, args.campaignId == null ? null : String(args.campaignId)),
  }),
  setTriagePolicy: t.field({
    type: [TriagePolicyEntryRef],
    description: 'Admins: priority and reply deadline per class, for items created from now on',
    args: { input: t.arg({ type: [TriagePolicyInput] }) },
    resolve: (_root, args, ctx) =>
      setWorkspaceTriagePolicy(
        ctx.deps,
        ctx.principal,
        args.input.map((i) => ({
          label: i.label as string,
          priority: (i.priority as string | null | undefined) ?? null,
          replyWithinMinutes: i.replyWithinMinutes ?? null,
          clearDeadline: i.clearDeadline ?? null,
        })),
      ),
  }),
}));

builder.subscriptionField('triageItemChanged', (t) =>
  t.field({
    type: TriageItemChangeRef,
    description: 'Each triage item of the workspace as it is created or changes, from any process',
    subscribe: (_root, _args, ctx) => triageItemUpdates(ctx.deps, ctx.principal),
    resolve: (change: TriageItemChange) => change,
  }),
);
