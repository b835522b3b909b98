import type { AbTest } from '@qunfa/core';
import { makeCampaign } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { abTestSample } from './ab-test-sample.js';

const now = new Date('2026-03-02T01:00:00Z');
const variants = [
  { id: '11', key: 'A', weight: 1, content: { type: 'text' as const, text: 'A' } },
  { id: '12', key: 'B', weight: 3, content: { type: 'text' as const, text: 'B' } },
];
const test = (overrides: Partial<AbTest>): AbTest => ({
  sampleSizePerVariant: null,
  testPercent: 20,
  holdoutPercent: 0,
  winnerMetric: 'click_rate',
  decisionDelayMs: 3_600_000,
  winnerSelection: 'auto',
  ...overrides,
});
const check = (abTest: AbTest | null, audienceSize: number) =>
  abTestSample().checkCampaign?.(makeCampaign({ id: '1', variants, abTest }), { audienceSize, now });

describe('rule:ab-test-sample', () => {
  it('warns when the smallest variant expects fewer than 1,000 test recipients', () => {
    // 20 % of 20,000 = 4,000 in the test; A has a quarter: 1,000.
    expect(check(test({}), 20_000)).toEqual([]);
    expect(check(test({}), 19_995)).toMatchObject([
      { level: 'warn', code: 'AB_SAMPLE_BELOW_MINIMUM', message: expect.stringContaining('about 999') },
    ]);
    // A 10 % hold-out comes off the top first.
    expect(check(test({ holdoutPercent: 10 }), 20_000)).toHaveLength(1);
    expect(check(test({ testPercent: null, sampleSizePerVariant: 1000 }), 5000)).toEqual([]);
    expect(check(test({ testPercent: null, sampleSizePerVariant: 300 }), 5000)).toMatchObject([
      { code: 'AB_SAMPLE_BELOW_MINIMUM' },
    ]);
  });

  it('says nothing about a campaign without a test', () => {
    expect(check(null, 10)).toEqual([]);
  });
});
