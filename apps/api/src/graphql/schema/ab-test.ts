import type {
  AbComparison as AbComparisonShape,
  AbTest as AbTestShape,
  AbTestState,
  Actor,
  Campaign as CampaignShape,
} from '@qunfa/core';
import { abComparison, confirmAbTestWinner } from '../../services/ab-tests.js';
import { builder } from '../builder.js';
import {
  AbTestPhaseEnum,
  AbWarningCodeEnum,
  AbWinnerMetricEnum,
  AbWinnerSelectionEnum,
} from './ab-test-input.js';
import { Campaign } from './campaign.js';

const AbVariantResult = builder
  .objectRef<AbComparisonShape['variants'][number]>('AbVariantResult')
  .implement({
    fields: (t) => ({
      variantId: t.exposeID('variantId'),
      key: t.exposeString('key'),
      recipients: t.exposeInt('recipients', { description: 'Test recipients (suppressed ones left out)' }),
      trials: t.exposeInt('trials', { description: 'The rate’s denominator' }),
      successes: t.exposeInt('successes'),
      rate: t.float({ nullable: true, description: '0–1; null without trials', resolve: (r) => r.rate }),
    }),
  });

const AbVersusLeader = builder
  .objectRef<AbComparisonShape['versusLeader'][number]>('AbVersusLeader')
  .implement({
    fields: (t) => ({
      variantId: t.exposeID('variantId'),
      key: t.exposeString('key'),
      difference: t.exposeFloat('difference', { description: 'Leader’s rate minus this one’s, 0–1' }),
      z: t.exposeFloat('z'),
      pValue: t.exposeFloat('pValue', { description: 'Two-sided, pooled two-proportion z-test' }),
    }),
  });

const AbWarning = builder.objectRef<AbComparisonShape['warnings'][number]>('AbWarning').implement({
  fields: (t) => ({
    code: t.field({ type: AbWarningCodeEnum, resolve: (w) => w.code }),
    message: t.exposeString('message'),
  }),
});

const AbComparison = builder.objectRef<AbComparisonShape>('AbComparison').implement({
  fields: (t) => ({
    metric: t.field({ type: AbWinnerMetricEnum, resolve: (c) => c.metric }),
    variants: t.field({ type: [AbVariantResult], resolve: (c) => c.variants }),
    leaderVariantId: t.id({ nullable: true, resolve: (c) => c.leaderVariantId }),
    runnerUpVariantId: t.id({ nullable: true, resolve: (c) => c.runnerUpVariantId }),
    difference: t.float({
      nullable: true,
      description: 'Leader’s rate minus the runner-up’s, 0–1',
      resolve: (c) => c.difference,
    }),
    pValue: t.float({
      nullable: true,
      description: 'Leader vs runner-up: two-sided p-value of the pooled two-proportion z-test',
      resolve: (c) => c.pValue,
    }),
    versusLeader: t.field({ type: [AbVersusLeader], resolve: (c) => c.versusLeader }),
    holdout: t.exposeInt('holdout', { description: 'Recipients held out, never sent' }),
    warnings: t.field({ type: [AbWarning], resolve: (c) => c.warnings }),
  }),
});

const AbDecider = builder.objectRef<Actor>('AbDecider').implement({
  description: 'Who decided: the scheduler (auto) or an API key (an operator’s confirmation)',
  fields: (t) => ({ kind: t.exposeString('kind'), id: t.exposeString('id') }),
});

type AbTestView = { campaign: CampaignShape; test: AbTestShape; state: AbTestState | null };

const AbTestType = builder.objectRef<AbTestView>('AbTest').implement({
  fields: (t) => ({
    sampleSizePerVariant: t.int({ nullable: true, resolve: (v) => v.test.sampleSizePerVariant }),
    testPercent: t.float({ nullable: true, resolve: (v) => v.test.testPercent }),
    holdoutPercent: t.float({ resolve: (v) => v.test.holdoutPercent }),
    winnerMetric: t.field({ type: AbWinnerMetricEnum, resolve: (v) => v.test.winnerMetric }),
    decisionDelayMs: t.int({ resolve: (v) => v.test.decisionDelayMs }),
    winnerSelection: t.field({ type: AbWinnerSelectionEnum, resolve: (v) => v.test.winnerSelection }),
    phase: t.field({
      type: AbTestPhaseEnum,
      nullable: true,
      description: 'Null until the campaign starts',
      resolve: (v) => v.state?.phase ?? null,
    }),
    decideAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.state?.decideAt ?? null }),
    recommendedVariantId: t.id({
      nullable: true,
      description: 'The leader at the decision: what AUTO sends and CONFIRM proposes',
      resolve: (v) => v.state?.recommendedVariantId ?? null,
    }),
    winnerVariantId: t.id({ nullable: true, resolve: (v) => v.state?.winnerVariantId ?? null }),
    winnerKey: t.string({
      nullable: true,
      resolve: (v) => v.campaign.variants.find((x) => x.id === v.state?.winnerVariantId)?.key ?? null,
    }),
    decidedBy: t.field({ type: AbDecider, nullable: true, resolve: (v) => v.state?.decidedBy ?? null }),
    decidedAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.state?.decidedAt ?? null }),
    comparisonFinal: t.boolean({
      description: 'True once the comparison was recorded at the decision; before, it is live',
      resolve: (v) => v.state?.comparison != null,
    }),
    comparison: t.field({
      type: AbComparison,
      nullable: true,
      description: 'Recorded at the decision; live while testing; null before the start',
      resolve: (v, _args, ctx) => abComparison(ctx.deps, v.campaign),
    }),
  }),
});

builder.objectField(Campaign, 'abTest', (t) =>
  t.field({
    type: AbTestType,
    nullable: true,
    resolve: (c) => (c.abTest ? { campaign: c, test: c.abTest, state: c.abState } : null),
  }),
);

builder.mutationField('confirmAbTestWinner', (t) =>
  t.field({
    type: Campaign,
    description:
      'Sends the winner of an A/B test awaiting its decision to the rest: the recommended variant, or variantId. Once only.',
    args: { id: t.arg.id(), variantId: t.arg.id({ required: false }) },
    resolve: (_root, args, ctx) =>
      confirmAbTestWinner(
        ctx.deps,
        ctx.principal,
        String(args.id),
        args.variantId == null ? null : String(args.variantId),
      ),
  }),
);
