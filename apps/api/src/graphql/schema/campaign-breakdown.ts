import {
  type BatchView,
  batchStates,
  batchTimeline,
  countersBySender,
  type SenderCounters as SenderCountersShape,
} from '../../services/campaign-breakdown.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { connectionOf } from './connection.js';
import { Counters } from './counters.js';

const SenderCounters = builder.objectRef<SenderCountersShape>('SenderCounters').implement({
  description: "A campaign's recipients on one channel and sender account, each counted once",
  fields: (t) => ({
    channel: t.exposeString('channel', {
      nullable: true,
      description: 'Null for recipients no channel was chosen for (suppressed or filtered first)',
    }),
    account: t.exposeString('account', {
      nullable: true,
      description:
        "The sender account of the recipient's current batch, else the one its attempt went out through (a WeCom customer's staff member); null when the channel has none or has not chosen yet",
    }),
    counters: t.field({ type: Counters, resolve: (s) => s.counters }),
  }),
});

const BatchStateEnum = builder.enumType('BatchState', {
  values: Object.fromEntries(batchStates.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    string,
    { value: (typeof batchStates)[number] }
  >,
});

const Batch = builder.objectRef<BatchView>('Batch').implement({
  description: 'One provider send of a campaign: a group of recipients on one channel and account',
  fields: (t) => ({
    id: t.exposeID('id'),
    seq: t.exposeInt('seq', { description: 'Order in the plan; retries and fallbacks come after it' }),
    channel: t.exposeString('channel'),
    account: t.exposeString('account', { nullable: true }),
    state: t.field({
      type: BatchStateEnum,
      description: 'LEASED: a worker is sending it; REPLACED: its recipients moved to a later batch',
      resolve: (b) => b.state,
    }),
    dueAt: t.field({ type: 'DateTime', resolve: (b) => b.dueAt }),
    size: t.exposeInt('size', { description: 'Recipients planned into it' }),
    starts: t.exposeInt('starts', { description: 'How many times a worker took it' }),
    waitReason: t.exposeString('waitReason', {
      nullable: true,
      description:
        "Why it is due later than planned (a rule's deferral, retry, account_cooldown, quota_reached); null when planned",
    }),
    updatedAt: t.field({ type: 'DateTime', resolve: (b) => b.updatedAt }),
    counters: t.field({
      type: Counters,
      description: 'The recipients whose current batch it is, by state',
      resolve: (b) => b.counters,
    }),
  }),
});

const BatchConnection = connectionOf('Batch', Batch);

builder.objectFields(Campaign, (t) => ({
  bySender: t.field({
    type: [SenderCounters],
    description:
      'Recipients by channel and sender account, each counted once where it is now (a failed-over recipient under its last channel)',
    resolve: (campaign, _args, ctx) => countersBySender(ctx.deps, ctx.principal, campaign.id),
  }),
  batches: t.field({
    type: BatchConnection,
    description: 'The batch timeline: the plan first, then retries and fallbacks',
    args: {
      first: t.arg.int({ required: false, defaultValue: 100 }),
      after: t.arg.string({ required: false }),
    },
    resolve: (campaign, args, ctx) =>
      batchTimeline(ctx.deps, ctx.principal, campaign.id, { first: args.first ?? 100, after: args.after }),
  }),
}));
