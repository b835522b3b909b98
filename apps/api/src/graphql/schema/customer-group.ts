import { setTag } from '../../services/contact-tagging.js';
import {
  type CustomerGroupNode,
  getCustomerGroup,
  healthNow,
  listCustomerGroups,
} from '../../services/customer-groups/customer-groups.js';
import type { GroupHealthReport, HealthReason } from '../../services/customer-groups/group-health.js';
import { listTags } from '../../services/tags.js';
import { builder } from '../builder.js';
import { connectionOf } from './connection.js';
import { Metric } from './counters.js';
import { Tag } from './tag.js';

const HealthReasonRef = builder.objectRef<HealthReason>('CustomerGroupHealthReason').implement({
  description: 'A group metric at alarm: why the group is flagged unhealthy',
  fields: (t) => ({
    metric: t.exposeString('metric', { description: 'The metric plugin, e.g. metric:group-quit-rate' }),
    label: t.exposeString('label'),
    unit: t.exposeString('unit'),
    value: t.exposeFloat('value'),
    alarm: t.exposeFloat('alarm', {
      description: "The level it is past: the workspace's (setMetricLevels), else the plugin's",
    }),
    better: t.exposeString('better', { description: 'higher or lower' }),
  }),
});

const GroupHealthRef = builder.objectRef<GroupHealthReport>('CustomerGroupHealth').implement({
  description:
    "A customer group's month (China time) as the channel counted it from the sync and membership callbacks, " +
    "evaluated by the loaded group metrics at the workspace's levels",
  fields: (t) => ({
    month: t.exposeString('month', { description: 'YYYY-MM' }),
    members: t.int({
      nullable: true,
      description: 'Members now; null when unknown',
      resolve: (h) => h.input?.members ?? null,
    }),
    membersAtStart: t.int({
      nullable: true,
      description: 'Members when the month began; null when unknown',
      resolve: (h) => h.input?.membersAtStart ?? null,
    }),
    joins: t.int({ nullable: true, resolve: (h) => h.input?.joins ?? null }),
    leaves: t.int({ nullable: true, resolve: (h) => h.input?.leaves ?? null }),
    quitRate: t.float({
      nullable: true,
      description:
        '退群率 in percent (metric:group-quit-rate); null when unknown or the metric is not loaded',
      resolve: (h) => h.metrics.find((m) => m.name === 'metric:group-quit-rate')?.value ?? null,
    }),
    metrics: t.field({ type: [Metric], description: 'Every loaded group metric', resolve: (h) => h.metrics }),
    healthy: t.boolean({
      nullable: true,
      description: 'False when a group metric is at alarm (see reasons); null when nothing is known',
      resolve: (h) => h.healthy,
    }),
    reasons: t.field({ type: [HealthReasonRef], resolve: (h) => h.reasons }),
  }),
});

export const CustomerGroup = builder.objectRef<CustomerGroupNode>('CustomerGroup').implement({
  description:
    'A WeCom customer group (客户群): a target of its own, not a contact — selected by an audience that says {"groups": …}, ' +
    'sent to through its owner (add_msg_template chat_type group)',
  fields: (t) => ({
    id: t.exposeID('id'),
    chatId: t.exposeString('chatId', { description: "WeCom's chat_id" }),
    name: t.exposeString('name', { nullable: true }),
    channel: t.exposeString('channel', { nullable: true }),
    owner: t.exposeString('owner', {
      nullable: true,
      description: 'The staff member (userid) who owns it and sends to it; null when it has none',
    }),
    memberCount: t.int({
      nullable: true,
      description: 'Members now (the sync, then joins and leaves); null when unknown',
      resolve: async (g, _args, ctx) =>
        (g.health ?? (await healthNow(ctx.deps, g))).input?.members ?? g.syncedMembers,
    }),
    tags: t.field({
      type: [Tag],
      resolve: async (g, _args, ctx) => {
        const all = await listTags(ctx.deps, ctx.principal);
        return all.filter((tag) => g.tagIds.includes(tag.id));
      },
    }),
    health: t.field({
      type: GroupHealthRef,
      description: 'In the month the list or customerGroup was asked for (default this month, China time)',
      resolve: (g, _args, ctx) => g.health ?? healthNow(ctx.deps, g),
    }),
    lastSyncedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a sync last saw it at WeCom',
      resolve: (g) => g.lastSyncedAt,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (g) => g.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (g) => g.updatedAt }),
  }),
});

const CustomerGroupConnection = connectionOf('CustomerGroup', CustomerGroup);

const GroupHealthFilterEnum = builder.enumType('CustomerGroupHealthFilter', {
  values: {
    UNHEALTHY: { value: 'unhealthy', description: 'A group metric at alarm' },
    HEALTHY: { value: 'healthy', description: 'Measured, no metric at alarm' },
    UNKNOWN: { value: 'unknown', description: 'Nothing measured yet (never synced)' },
  } as const,
});

const MONTH_DOC = 'YYYY-MM, China time; default this month';

builder.queryFields((t) => ({
  customerGroups: t.field({
    type: CustomerGroupConnection,
    description:
      "The workspace's customer groups (never its persons), by id; filters combine with AND. " +
      'An audience of the same groups: {"and": [{"groups": {"owners": […], "nameContains": …}}, {"tag": id}]}',
    args: {
      first: t.arg.int({ required: false, defaultValue: 50 }),
      after: t.arg.string({ required: false }),
      owners: t.arg.stringList({
        required: false,
        description: 'Owned by any of these staff members (userids)',
      }),
      tagId: t.arg.id({ required: false }),
      nameContains: t.arg.string({ required: false }),
      health: t.arg({ type: GroupHealthFilterEnum, required: false }),
      month: t.arg.string({ required: false, description: MONTH_DOC }),
    },
    resolve: (_root, args, ctx) =>
      listCustomerGroups(ctx.deps, ctx.principal, {
        first: args.first ?? 50,
        after: args.after,
        owners: args.owners,
        tagId: args.tagId == null ? null : String(args.tagId),
        nameContains: args.nameContains,
        health: args.health,
        month: args.month,
      }),
  }),
  customerGroup: t.field({
    type: CustomerGroup,
    description: "One customer group; NOT_FOUND for a person's id",
    args: { id: t.arg.id(), month: t.arg.string({ required: false, description: MONTH_DOC }) },
    resolve: (_root, args, ctx) => getCustomerGroup(ctx.deps, ctx.principal, String(args.id), args.month),
  }),
}));

builder.mutationFields((t) => ({
  tagCustomerGroups: t.int({
    description:
      "Adds one of the workspace's tags to customer groups (WeCom's group API carries no tags); returns how many were not tagged before. A person's id is NOT_FOUND",
    args: { tagId: t.arg.id(), groupIds: t.arg.idList() },
    resolve: (_root, args, ctx) =>
      setTag(
        ctx.deps,
        ctx.principal,
        { tagId: String(args.tagId), contactIds: args.groupIds.map(String), tagged: true },
        'group',
      ),
  }),
  untagCustomerGroups: t.int({
    description: 'Removes a tag from customer groups; returns how many had it.',
    args: { tagId: t.arg.id(), groupIds: t.arg.idList() },
    resolve: (_root, args, ctx) =>
      setTag(
        ctx.deps,
        ctx.principal,
        { tagId: String(args.tagId), contactIds: args.groupIds.map(String), tagged: false },
        'group',
      ),
  }),
}));
