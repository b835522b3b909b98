import { z } from 'zod';

const HOUR = 3_600_000;

/**
 * The limits an account sends under. Personal WeChat publishes none: these defaults are the
 * conservative figures of seed 001 and the design, and an operator edits them per account.
 */
export const policySchema = z
  .object({
    /** Recipients of one mass send (one batch). Default 200. */
    recipientsPerSend: z.number().int().min(1).max(200).default(200),
    /** Mass sends (batches) an account makes a day. Default 5. */
    massSendsPerDay: z.number().int().min(0).max(100).default(5),
    /** Longest text, in characters. Default 2048. */
    maxTextLength: z.number().int().min(1).max(2048).default(2048),
    /** Random pause before each message after the first, in ms, drawn uniformly. Default 2000–6000. */
    delayMs: z
      .object({ min: z.number().int().min(0), max: z.number().int().min(0) })
      .refine((d) => d.min <= d.max, 'min must not exceed max')
      .default({ min: 2000, max: 6000 }),
    /** An account younger than `days` (since its first login) sends at most `dailyRecipients` a day. Default 7 days, 50. */
    warmUp: z
      .object({ days: z.number().int().min(0).max(90), dailyRecipients: z.number().int().min(0) })
      .default({ days: 7, dailyRecipients: 50 }),
    /** Daily budgets per operation type. Default 300 friend messages, 50 group messages, 50 images. */
    budgets: z
      .object({
        friendMessages: z.number().int().min(0),
        groupMessages: z.number().int().min(0),
        images: z.number().int().min(0),
      })
      .default({ friendMessages: 300, groupMessages: 50, images: 50 }),
    /** Cool-down after a risk signal ("操作频繁"), in ms. Default 4 h. */
    cooldownMs: z
      .number()
      .int()
      .min(60_000)
      .max(7 * 24 * HOUR)
      .default(4 * HOUR),
    /** Below this health score (0–100) the account is paused. Default 50. */
    minHealthScore: z.number().min(0).max(100).default(50),
  })
  .strict();

export type AccountPolicy = z.output<typeof policySchema>;
/** What an operator may change; fields left out keep their value. */
export type AccountPolicyPatch = Partial<AccountPolicy>;

export const defaultPolicy: AccountPolicy = policySchema.parse({});

/** The channel's defaults with an account's overrides, validated. */
export function resolvePolicy(
  defaults: AccountPolicy,
  overrides: AccountPolicyPatch | undefined,
): AccountPolicy {
  return policySchema.parse({ ...defaults, ...overrides });
}
