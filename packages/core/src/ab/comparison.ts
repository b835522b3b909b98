import { type Counters, emptyCounters } from '../domain/counters.js';
import { AB_MIN_SAMPLE_PER_VARIANT, AB_SIGNIFICANCE, type AbWinnerMetric } from './ab-test.js';
import { twoProportionZTest } from './two-proportion-z-test.js';
import { needsEngagement, winnerProportion } from './winner-metrics.js';

export const abWarningCodes = [
  'sample_below_minimum',
  'not_significant',
  'no_data',
  'no_engagement_data',
  'tie',
  'test_incomplete',
] as const;
export type AbWarningCode = (typeof abWarningCodes)[number];

export interface AbWarning {
  code: AbWarningCode;
  message: string;
}

export interface AbVariantResult {
  variantId: string;
  key: string;
  /** Test recipients of the variant (suppressed contacts left out). */
  recipients: number;
  /** The metric's denominator (e.g. sends with a result, for delivery rate). */
  trials: number;
  successes: number;
  /** successes / trials, 0–1; null without trials. */
  rate: number | null;
}

/** One variant against the leader. */
export interface AbVersusLeader {
  variantId: string;
  key: string;
  /** Leader's rate minus this variant's, 0–1. */
  difference: number;
  z: number;
  pValue: number;
}

export interface AbComparison {
  metric: AbWinnerMetric;
  /** In campaign order. */
  variants: AbVariantResult[];
  /** Highest rate (first in campaign order on a tie); null without data. */
  leaderVariantId: string | null;
  runnerUpVariantId: string | null;
  /** Leader's rate minus the runner-up's, 0–1. */
  difference: number | null;
  /** Two-sided p-value of the pooled two-proportion z-test, leader vs runner-up. */
  pValue: number | null;
  /** Every other variant with data against the leader. */
  versusLeader: AbVersusLeader[];
  /** Recipients held out (recorded, never sent). */
  holdout: number;
  warnings: AbWarning[];
}

export interface CompareInput {
  metric: AbWinnerMetric;
  variants: readonly { id: string; key: string }[];
  /** Counters of the test deliveries by variant id; a variant missing here has none. */
  countersByVariant: ReadonlyMap<string, Counters>;
  holdout: number;
}

/** a's rate above b's (−1, 0, 1), compared exactly by cross-multiplication. */
function compareRates(a: AbVariantResult, b: AbVariantResult): number {
  return Math.sign(a.successes * b.trials - b.successes * a.trials);
}

/** The comparison of an A/B test's variants on its winner metric. Pure. */
export function compareVariants(input: CompareInput): AbComparison {
  const warnings: AbWarning[] = [];
  const results: AbVariantResult[] = input.variants.map((v) => {
    const c = input.countersByVariant.get(v.id) ?? emptyCounters();
    const { trials, successes } = winnerProportion(input.metric, c);
    return {
      variantId: v.id,
      key: v.key,
      recipients: c.total - c.suppressed,
      trials,
      successes,
      rate: trials > 0 ? successes / trials : null,
    };
  });
  const small = results.filter((r) => r.recipients < AB_MIN_SAMPLE_PER_VARIANT);
  if (small.length > 0) {
    warnings.push({
      code: 'sample_below_minimum',
      message: `sample below ${AB_MIN_SAMPLE_PER_VARIANT} per variant: ${small.map((r) => `${r.key} ${r.recipients}`).join(', ')}`,
    });
  }
  const inFlight = [...input.countersByVariant.values()].some((c) => c.queued + c.submitted > 0);
  if (inFlight) {
    warnings.push({ code: 'test_incomplete', message: 'some test deliveries had no result yet' });
  }

  const noEngagement = needsEngagement(input.metric) && results.every((r) => r.successes === 0);
  const measured = noEngagement ? [] : results.filter((r) => r.trials > 0);
  if (measured.length === 0) {
    warnings.push(
      noEngagement && results.some((r) => r.trials > 0)
        ? {
            code: 'no_engagement_data',
            message: `no ${input.metric === 'open_rate' ? 'reads' : 'clicks'} recorded: the channel may not report them`,
          }
        : { code: 'no_data', message: 'no variant has a result yet' },
    );
    return {
      metric: input.metric,
      variants: results,
      leaderVariantId: null,
      runnerUpVariantId: null,
      difference: null,
      pValue: null,
      versusLeader: [],
      holdout: input.holdout,
      warnings,
    };
  }

  // Stable sort: on equal rates the earlier variant in campaign order leads.
  const ranked = [...measured].sort((a, b) => compareRates(b, a));
  const leader = ranked[0] as AbVariantResult;
  const runnerUp = ranked[1];
  const versusLeader = ranked.slice(1).map((r) => {
    const test = twoProportionZTest(leader, r) ?? { z: 0, pValue: 1 };
    return {
      variantId: r.variantId,
      key: r.key,
      difference: (leader.rate ?? 0) - (r.rate ?? 0),
      z: test.z,
      pValue: test.pValue,
    };
  });
  const head = versusLeader[0];
  if (runnerUp && compareRates(leader, runnerUp) === 0) {
    warnings.push({
      code: 'tie',
      message: `${leader.key} and ${runnerUp.key} have the same rate: ${leader.key} leads by campaign order`,
    });
  }
  if (!head || head.pValue >= AB_SIGNIFICANCE) {
    warnings.push({
      code: 'not_significant',
      message: head
        ? `the difference is not significant at 5 % (p = ${head.pValue.toPrecision(3)})`
        : 'only one variant has data: nothing to compare',
    });
  }
  return {
    metric: input.metric,
    variants: results,
    leaderVariantId: leader.variantId,
    runnerUpVariantId: runnerUp?.variantId ?? null,
    difference: head?.difference ?? null,
    pValue: head?.pValue ?? null,
    versusLeader,
    holdout: input.holdout,
    warnings,
  };
}
