import type { contactReach } from '../../db/schema/index.js';
import { reachOf } from '../../services/channel-sync/contact-reach.js';
import {
  type ChannelSyncRow,
  channelSyncProgress,
  getChannelSync,
  listChannelSyncs,
  startChannelSync,
} from '../../services/channel-sync/sync-runs.js';
import { builder } from '../builder.js';
import { Contact } from './contact.js';

type Counts = ChannelSyncRow['counts'];

const CountsRef = builder.objectRef<Counts>('ChannelSyncCounts').implement({
  description: 'What a sync did so far',
  fields: (t) => ({
    pages: t.exposeInt('pages', { description: 'Provider pages stored' }),
    records: t.exposeInt('records', { description: 'Followers, or customer–staff relations, read' }),
    created: t.exposeInt('created', { description: 'Contacts created' }),
    matched: t.exposeInt('matched', {
      description:
        'Records that joined an existing contact by an identity (openid, external_userid, unionid)',
    }),
    tags: t.exposeInt('tags', { description: 'Provider tags created or renamed' }),
    relations: t.exposeInt('relations', { description: '"Reachable through" relations written or changed' }),
    groups: t.exposeInt('groups', { description: 'WeCom customer groups read' }),
    conflicts: t.exposeInt('conflicts', {
      description: 'Identities left with the other contact of the workspace that already holds them',
    }),
    removed: t.int({
      description:
        'Relations a complete sync no longer saw (followers who unfollowed), marked ended: not planned on the channel any more',
      resolve: (c) => c.removed ?? 0,
    }),
  }),
});

const ChannelSync = builder.objectRef<ChannelSyncRow>('ChannelSync').implement({
  description: "A sync of a channel's people into the workspace's contacts (WeCom customers, OA followers)",
  fields: (t) => ({
    id: t.id({ resolve: (r) => String(r.id) }),
    channel: t.exposeString('channel'),
    state: t.exposeString('state', {
      description: 'running, completed or failed (starting it again resumes where it stopped)',
    }),
    stage: t.exposeString('stage', { description: 'tags, customers, groups, followers or done' }),
    counts: t.field({ type: CountsRef, resolve: (r) => r.counts }),
    errorCode: t.exposeString('errorCode', {
      nullable: true,
      description: 'CHANNEL_CREDENTIALS_MISSING, RATE_LIMITED, PLUGIN_FAILED or INTERRUPTED',
    }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    startedAt: t.field({ type: 'DateTime', resolve: (r) => r.startedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.finishedAt }),
  }),
});

const ContactReach = builder.objectRef<typeof contactReach.$inferSelect>('ContactReach').implement({
  description:
    'A sender through whom the contact can be reached (a WeCom staff member who has them as a customer)',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    account: t.exposeString('account', { description: "The sender: a WeCom member's userid" }),
    addedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.addedAt }),
    remark: t.exposeString('remark', { nullable: true }),
    removedBy: t.exposeString('removedBy', {
      nullable: true,
      description: 'by_staff or by_customer when the relation is gone (never used again)',
    }),
  }),
});

builder.objectField(Contact, 'reachableThrough', (t) =>
  t.field({
    type: [ContactReach],
    resolve: (c, _args, ctx) => reachOf(ctx.deps, ctx.principal, c.id),
  }),
);

builder.queryField('channelSync', (t) =>
  t.field({
    type: ChannelSync,
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => getChannelSync(ctx.deps, ctx.principal, String(id)),
  }),
);

builder.queryField('channelSyncs', (t) =>
  t.field({
    type: [ChannelSync],
    description: "The workspace's latest 20 syncs, newest first",
    args: { channel: t.arg.string({ required: false }) },
    resolve: (_root, { channel }, ctx) => listChannelSyncs(ctx.deps, ctx.principal, channel),
  }),
);

builder.mutationField('startChannelSync', (t) =>
  t.field({
    type: ChannelSync,
    description:
      "Admin: syncs a channel's people into contacts in the background (channel:wecom customers, staff relations, corp tags and groups; an Official Account's followers and tags). Resumes a failed run unless restart. Refused with CHANNEL_CREDENTIALS_MISSING when the provider refuses the credentials",
    args: { channel: t.arg.string(), restart: t.arg.boolean({ required: false }) },
    resolve: (_root, args, ctx) => startChannelSync(ctx.deps, ctx.principal, args),
  }),
);

builder.subscriptionField('channelSyncProgress', (t) =>
  t.field({
    type: ChannelSync,
    description: 'The sync now, then after every stored page; ends when it completes or fails',
    args: { id: t.arg.id() },
    subscribe: (_root, { id }, ctx) => channelSyncProgress(ctx.deps, ctx.principal, String(id)),
    resolve: (row: ChannelSyncRow) => row,
  }),
);
