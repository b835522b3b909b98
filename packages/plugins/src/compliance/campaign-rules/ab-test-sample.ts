import {
  AB_MIN_SAMPLE_PER_VARIANT,
  type ComplianceRule,
  expectedSamplePerVariant,
  parsePluginOptions,
} from '@qunfa/core';
import { z } from 'zod';

const name = 'rule:ab-test-sample';

const optionsSchema = z.object({
  /** Recipients per variant below which an A/B test's result is flagged as unreliable. Default 1000. */
  minPerVariant: z.number().int().min(1).default(AB_MIN_SAMPLE_PER_VARIANT),
});

export type AbTestSampleOptions = z.input<typeof optionsSchema>;

/**
 * Warns before a start when an A/B test's sample per variant (as configured, or as its test
 * percentage of the audience gives it) is below the minimum: small samples rarely tell two
 * variants apart. A warning, never a block: the operator may run a small test knowingly.
 */
export function abTestSample(options?: AbTestSampleOptions): ComplianceRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  return {
    kind: 'rule',
    name,
    checkCampaign(campaign, ctx) {
      if (!campaign.abTest || campaign.resendOf) return [];
      const expected = expectedSamplePerVariant(campaign.abTest, campaign.variants, ctx.audienceSize);
      if (expected >= opts.minPerVariant) return [];
      return [
        {
          rule: name,
          level: 'warn',
          code: 'AB_SAMPLE_BELOW_MINIMUM',
          params: { expected, minimum: opts.minPerVariant },
          message: `about ${expected} recipients per variant in the A/B test: below ${opts.minPerVariant}, a difference is hard to trust`,
        },
      ];
    },
  };
}
