import type { Actor } from '../domain/campaign.js';
import type { AbComparison } from './comparison.js';

/** What decides the winner; each is successes / trials over a variant's counters (see `winner-metrics.ts`). */
export const abWinnerMetrics = ['delivery_rate', 'open_rate', 'click_rate'] as const;
export type AbWinnerMetric = (typeof abWinnerMetrics)[number];

export const abWinnerSelections = ['auto', 'confirm'] as const;
/** `auto`: the winner goes to the rest at the decision time; `confirm`: an operator confirms (or picks) it first. */
export type AbWinnerSelection = (typeof abWinnerSelections)[number];

/** Recipients per variant below which a comparison is flagged as too small to trust. */
export const AB_MIN_SAMPLE_PER_VARIANT = 1000;
/** At most this many variants in a test (a hold-out does not count). */
export const AB_MAX_VARIANTS = 3;
/** Significance level of the comparison's warning. */
export const AB_SIGNIFICANCE = 0.05;

/**
 * An A/B test on a campaign: a test phase on a sample, then the winner to the rest. Exactly one
 * of `sampleSizePerVariant` and `testPercent` sets the sample.
 */
export interface AbTest {
  /** Recipients per variant in the test phase (variants share the sample equally). Default 1000 when no `testPercent`. */
  sampleSizePerVariant: number | null;
  /** Or: share of the sendable audience in the test phase, in percent (0 < x ≤ 100), split by variant weights. */
  testPercent: number | null;
  /** Share of the sendable audience held out (recorded, never sent), in percent. Default 0. */
  holdoutPercent: number;
  /** What decides the winner. Default `click_rate`. */
  winnerMetric: AbWinnerMetric;
  /** When to decide, in ms after the campaign starts. Default 4 h. */
  decisionDelayMs: number;
  /** Default `auto`. */
  winnerSelection: AbWinnerSelection;
}

export const abTestPhases = ['testing', 'awaiting_decision', 'decided'] as const;
/** testing → (awaiting_decision →) decided; a cancelled campaign stays where it was. */
export type AbTestPhase = (typeof abTestPhases)[number];

/** Where a started campaign's A/B test stands. */
export interface AbTestState {
  phase: AbTestPhase;
  decideAt: Date;
  /** The comparison recorded at the decision time; null while testing. */
  comparison: AbComparison | null;
  /** The variant the comparison points to (null on no data); what `auto` sends, what `confirm` proposes. */
  recommendedVariantId: string | null;
  /** The variant sent to the rest; set once decided. */
  winnerVariantId: string | null;
  decidedBy: Actor | null;
  decidedAt: Date | null;
}
