import { abTestPhases, abWarningCodes, abWinnerMetrics, abWinnerSelections } from '@qunfa/core';
import { builder } from '../builder.js';

const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<string, { value: T }>;

export const AbWinnerMetricEnum = builder.enumType('AbWinnerMetric', {
  description:
    'DELIVERY_RATE: reached / sends with a result; OPEN_RATE: read or clicked / reached; CLICK_RATE: clicked / reached',
  values: upper(abWinnerMetrics),
});
export const AbWinnerSelectionEnum = builder.enumType('AbWinnerSelection', {
  description: 'AUTO sends the winner to the rest at the decision time; CONFIRM waits for an operator',
  values: upper(abWinnerSelections),
});
export const AbTestPhaseEnum = builder.enumType('AbTestPhase', { values: upper(abTestPhases) });
export const AbWarningCodeEnum = builder.enumType('AbWarningCode', { values: upper(abWarningCodes) });

export const AbTestInputRef = builder.inputType('AbTestInput', {
  description: 'A test phase on a sample, then the winner to the rest. Needs 2 or 3 variants.',
  fields: (t) => ({
    sampleSizePerVariant: t.int({
      required: false,
      description: 'Recipients per variant in the test; default 1000 unless testPercent is given',
    }),
    testPercent: t.float({
      required: false,
      description: 'Or: share of the audience in the test, in percent',
    }),
    holdoutPercent: t.float({
      required: false,
      description: 'Share held out (never sent), in percent; default 0',
    }),
    winnerMetric: t.field({ type: AbWinnerMetricEnum, required: false, description: 'Default CLICK_RATE' }),
    decisionDelayMs: t.int({ required: false, description: 'Decide this long after the start; default 4 h' }),
    winnerSelection: t.field({ type: AbWinnerSelectionEnum, required: false, description: 'Default AUTO' }),
  }),
});
