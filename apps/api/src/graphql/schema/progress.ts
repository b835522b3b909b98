import type {
  CampaignState,
  Counters as CountersShape,
  ProgressEvent,
  WaitReason as WaitReasonShape,
} from '@qunfa/core';
import { campaignProgress } from '../../services/progress.js';
import { builder } from '../builder.js';
import { Counters, campaignMetrics, Metric } from './counters.js';
import { CampaignStateEnum } from './enums.js';
import { WaitReason } from './waiting.js';

interface ProgressShape {
  campaignId: string;
  state: CampaignState;
  counters: CountersShape;
  waiting: WaitReasonShape[];
  at: string;
}

const CampaignProgress = builder.objectRef<ProgressShape>('CampaignProgress').implement({
  description: 'A campaign moved: the first one is the exact state read from the database',
  fields: (t) => ({
    campaignId: t.exposeID('campaignId'),
    state: t.field({ type: CampaignStateEnum, resolve: (p) => p.state }),
    counters: t.field({ type: Counters, resolve: (p) => p.counters }),
    metrics: t.field({
      type: [Metric],
      resolve: (p, _args, ctx) =>
        campaignMetrics(
          ctx.deps,
          { id: p.campaignId, workspaceId: String(ctx.principal?.workspaceId) },
          p.counters,
        ),
    }),
    waiting: t.field({
      type: [WaitReason],
      description: 'What the campaign waits for, as Campaign.waiting',
      resolve: (p) => p.waiting ?? [],
    }),
    at: t.field({ type: 'DateTime', resolve: (p) => new Date(p.at) }),
  }),
});

builder.subscriptionField('campaignProgress', (t) =>
  t.field({
    type: CampaignProgress,
    description:
      'Starts with the exact counters, then at most ~5 updates a second; stays open after the campaign completes, is cancelled or fails (late receipts still move its counters, a late failure may run it again) until the client leaves.',
    args: { id: t.arg.id() },
    subscribe: (_root, { id }, ctx) => campaignProgress(ctx.deps, ctx.principal, String(id)),
    resolve: (event: ProgressEvent) => event,
  }),
);
