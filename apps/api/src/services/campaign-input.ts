import {
  AB_MIN_SAMPLE_PER_VARIANT,
  type AbTest,
  abWinnerMetrics,
  abWinnerSelections,
  audienceExpressionSchema,
  channelModes,
  contentTypes,
  defaultRetryPolicy,
  failureClasses,
  isQunfaError,
  nextCronTime,
  parseCron,
} from '@qunfa/core';
import { z } from 'zod';
import { quietHoursInput } from './quiet-hours.js';

export const MAX_VARIANTS = 3;

const contentSchema = z.object({
  type: z.enum(contentTypes).default('text'),
  text: z.string().min(1).max(20_000),
  subject: z.string().max(500).nullish(),
});

const variantSchema = z.object({
  key: z.string().trim().min(1).max(16),
  weight: z.number().positive().max(1_000_000).default(1),
  content: contentSchema,
  /** Content of particular plan steps (an SMS step's template beside WeCom's text). */
  channelContent: z
    .array(z.object({ channel: z.string().min(1), content: contentSchema }))
    .max(5)
    .nullish(),
});

const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20),
    networkRetryDelayMs: z.number().int().min(0),
    rateLimitedDelayMs: z.number().int().min(0),
    unknownRetryDelayMs: z.number().int().min(0),
    accountCooldownMs: z.number().int().min(0),
    escalateOn: z.array(z.enum(failureClasses)),
  })
  .partial();

/** A template's schedule: a cron expression in a time zone (default Asia/Shanghai), or API triggers. */
const scheduleSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('recurring'),
      cron: z.string().min(9).max(100),
      timeZone: z.string().default('Asia/Shanghai'),
    }),
    z.object({ kind: z.literal('triggered') }),
  ])
  .superRefine((s, ctx) => {
    if (s.kind !== 'recurring') return;
    try {
      nextCronTime(parseCron(s.cron), new Date(), s.timeZone);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: isQunfaError(error) ? error.message : 'invalid schedule',
        path: isQunfaError(error) && error.details.field === 'schedule.timeZone' ? ['timeZone'] : ['cron'],
      });
    }
  });

/**
 * An A/B test: a sample per variant (default 1,000) or a test percentage, an optional hold-out,
 * the winner metric (default click rate), the decision delay (default 4 h) and `auto` or `confirm`.
 * Ranges are checked by the kernel's `validateAbTest`, which also knows the variant count.
 */
const abTestSchema = z
  .object({
    sampleSizePerVariant: z.number().nullish(),
    testPercent: z.number().nullish(),
    holdoutPercent: z.number().default(0),
    winnerMetric: z.enum(abWinnerMetrics).default('click_rate'),
    decisionDelayMs: z.number().default(4 * 3_600_000),
    winnerSelection: z.enum(abWinnerSelections).default('auto'),
  })
  .transform(
    (t): AbTest => ({
      sampleSizePerVariant:
        t.sampleSizePerVariant ?? (t.testPercent == null ? AB_MIN_SAMPLE_PER_VARIANT : null),
      testPercent: t.testPercent ?? null,
      holdoutPercent: t.holdoutPercent,
      winnerMetric: t.winnerMetric,
      decisionDelayMs: t.decisionDelayMs,
      winnerSelection: t.winnerSelection,
    }),
  );

const campaignFields = {
  name: z.string().trim().min(1).max(200),
  /** Or `segmentId`: exactly one of the two. */
  audience: audienceExpressionSchema.optional(),
  /** A saved segment whose expression the campaign follows until it starts. */
  segmentId: z.string().min(1).max(20).nullish(),
  /** Leave out contacts inactive for 30 days. */
  excludeDormant: z.boolean().default(false),
  /** Quiet hours of this campaign: stored `off` / `HH:MM-HH:MM`, or null to follow the workspace's. */
  quietHours: quietHoursInput.nullish(),
  variants: z
    .array(variantSchema)
    .min(1)
    .max(MAX_VARIANTS)
    .refine((vs) => new Set(vs.map((v) => v.key)).size === vs.length, 'variant keys must be unique'),
  channelPlan: z
    .array(
      z.object({
        channel: z.string().min(1),
        batchSize: z.number().int().positive().nullish(),
        failover: z.array(z.string().min(1)).max(3).nullish(),
        trackLinks: z.boolean().nullish(),
        /** At most a week, in ms. */
        escalateAfterMs: z
          .number()
          .int()
          .min(1000)
          .max(7 * 24 * 3600 * 1000)
          .nullish(),
        escalateUnless: z.enum(['delivered', 'read']).nullish(),
        /** Send the step as one mass send to the audience's tag (an Official Account's tag job). */
        sendToTag: z.boolean().nullish(),
        /** At most WeCom's 30-day result window, in ms. */
        confirmationDeadlineMs: z
          .number()
          .int()
          .min(1000)
          .max(30 * 24 * 3600 * 1000)
          .nullish(),
      }),
    )
    .min(1)
    .max(5)
    .refine((steps) => new Set(steps.map((s) => s.channel)).size === steps.length, 'a channel appears twice'),
  /** `first` (default): the first step that reaches a recipient; `all`: every one (critical notices). */
  channelMode: z.enum(channelModes).default('first'),
  scheduledAt: z.date().nullish(),
  batchIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600 * 1000)
    .default(0),
  /** Spread the batches evenly over this window (ms), instead of a fixed interval. */
  sendWindowMs: z
    .number()
    .int()
    .min(1000)
    .max(30 * 24 * 3600 * 1000)
    .nullish(),
  retryPolicy: retryPolicySchema.nullish(),
  /** Makes the campaign a template: it sends through its runs. */
  schedule: scheduleSchema.nullish(),
  abTest: abTestSchema.nullish(),
};

const oneWayToPace = (c: {
  batchIntervalMs?: number | undefined;
  sendWindowMs?: number | null | undefined;
}) => !(c.sendWindowMs && c.batchIntervalMs);
const paceMessage = {
  message: 'pace by batchIntervalMs or by sendWindowMs, not both',
  path: ['sendWindowMs'],
};

const oneWayToStart = (c: { scheduledAt?: Date | null | undefined; schedule?: unknown }) =>
  !(c.scheduledAt && c.schedule);
const startMessage = { message: 'a template runs by its schedule: no scheduledAt', path: ['scheduledAt'] };

const audienceOrSegment = (c: { audience?: unknown; segmentId?: string | null | undefined }) =>
  !(c.audience !== undefined && c.segmentId);
const audienceMessage = { message: 'give an audience or a segmentId, not both', path: ['segmentId'] };

export const createCampaignInput = z
  .object(campaignFields)
  .refine(oneWayToPace, paceMessage)
  .refine(oneWayToStart, startMessage)
  .refine(audienceOrSegment, audienceMessage)
  .refine((c) => c.audience !== undefined || Boolean(c.segmentId), {
    message: 'an audience or a segmentId is required',
    path: ['audience'],
  });
export const updateCampaignInput = z
  .object(campaignFields)
  .partial()
  .extend({
    batchIntervalMs: campaignFields.batchIntervalMs.optional(),
    excludeDormant: z.boolean().optional(),
    channelMode: z.enum(channelModes).optional(),
  })
  .refine(oneWayToPace, paceMessage)
  .refine(oneWayToStart, startMessage)
  .refine(audienceOrSegment, audienceMessage);

export type CreateCampaignInput = z.output<typeof createCampaignInput>;

export function mergeRetryPolicy(overrides: z.output<typeof retryPolicySchema> | null | undefined) {
  return { ...defaultRetryPolicy, ...(overrides ?? {}) };
}
