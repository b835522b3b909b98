import { type ComplianceRule, findingLevels, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';

const name = 'rule:audience-size';

const optionsSchema = z.object({
  /** Audiences above this many recipients need approval. Default 500. */
  threshold: z.number().int().min(0).default(500),
  /** Level of the finding; approval policies make the review itself required. Default warn. */
  level: z.enum(findingLevels).default('warn'),
});

export type AudienceSizeOptions = z.input<typeof optionsSchema>;

/** Tells the operator early that an audience this large goes through review. */
export function audienceSize(options?: AudienceSizeOptions): ComplianceRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  return {
    kind: 'rule',
    name,
    checkCampaign(_campaign, ctx) {
      if (ctx.audienceSize <= opts.threshold) return [];
      return [
        {
          rule: name,
          level: opts.level,
          code: 'AUDIENCE_NEEDS_APPROVAL',
          params: { audience: ctx.audienceSize, threshold: opts.threshold },
          message: `${ctx.audienceSize} recipients: a campaign over ${opts.threshold} needs an approver's review`,
        },
      ];
    },
  };
}
