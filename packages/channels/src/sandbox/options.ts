import {
  type ContentType,
  contentTypes,
  type FailureClass,
  failureClasses,
  type IdentityKind,
  identityKinds,
  parsePluginOptions,
} from '@qunfa/core';
import { z } from 'zod';
import type { DelayRange, EngagementConfig } from './engagement.js';

/** Probability (0–1) per recipient of each failure class; classes left out are 0. */
export type FailureRates = Partial<Record<FailureClass, number>>;

/** Options of `sandbox(options)`. Every field is optional. */
export interface SandboxOptions {
  /** The plugin's name, to load several sandboxes side by side. Default `channel:sandbox`. */
  name?: `channel:${string}`;
  /** Named defaults: `demo` sets ~3 % failures across classes and `retryRedraws: true`. Default none. */
  preset?: 'demo';
  /** Simulated provider latency of one send call, uniform in [min, max]. Default 20–80 (ms). */
  latencyMs?: { min: number; max: number };
  /** Recipients one send call may carry; a bigger batch throws (a kernel bug). Default 200 (recipients). */
  maxRecipientsPerSend?: number;
  /** Advertised rate per account, not enforced (timing-dependent); see `calls()`. Default none (recipients/s). */
  ratePerSecond?: number;
  /** Accepted recipients a day per account, enforced as `rate_limited` until midnight CST. Default none. */
  maxSendsPerDay?: number;
  /** Sender accounts; a batch for another account throws. Default [] (one implicit account). */
  accounts?: string[];
  /** Identity kinds it addresses, in order of preference. Default all kinds, in `identityKinds` order. */
  identityKinds?: IdentityKind[];
  /** Probability (0–1) per recipient of each failure class, summing to ≤ 1. Default all 0 (demo: ~3 %). */
  failureRates?: FailureRates;
  /** Draw transient failures afresh per idempotency key, so a retry can succeed. Default false (demo: true). */
  retryRedraws?: boolean;
  /** `retryAfterMs` carried by simulated `rate_limited` outcomes. Default 1000 (ms). */
  retryAfterMs?: number;
  /** Seed of the simulated outcomes and latencies; same seed, same outcomes. Default 1. */
  seed?: number;
  /** Honour idempotency keys: a repeated key is neither recorded nor delivered twice. Default true. */
  idempotent?: boolean;
  /** Content types it accepts; others fail as `content_rejected`. Default all content types. */
  contentTypes?: ContentType[];
  /** Longest text it accepts, in characters (code points); longer fails as `content_rejected`. Default none. */
  maxTextLength?: number;
  /** Accepted messages kept in memory for `accepted()`, idempotency and `queryStatus`. Default 100000 (messages). */
  retain?: number;
  /**
   * Simulated receipts and engagement of accepted messages, reported by `pollReceipts`. Default
   * none (no receipts); demo: 97 % delivered, 35 % of those read, 25 % of readers click.
   */
  engagement?: EngagementOptions;
}

/** Shares are conditional: read of delivered, clicked of read. Delays are uniform in [min, max] ms. */
export interface EngagementOptions {
  /** Share (0–1) of accepted messages delivered. Default 1. */
  delivered?: number;
  /** Share (0–1) of delivered messages read. Default 0. */
  read?: number;
  /** Share (0–1) of read messages clicked. Default 0. */
  clicked?: number;
  /** Delay of the delivery receipt after the send. Default 200–3000 (ms). */
  deliveredAfterMs?: DelayRange;
  /** Delay of the read after the delivery. Default 2000–60000 (ms). */
  readAfterMs?: DelayRange;
  /** Delay of the click after the read. Default 1000–20000 (ms). */
  clickedAfterMs?: DelayRange;
}

/** The options after validation, with defaults and the preset applied. */
export interface SandboxConfig {
  name: `channel:${string}`;
  latencyMs: { min: number; max: number };
  maxRecipientsPerSend: number;
  ratePerSecond: number | undefined;
  maxSendsPerDay: number | undefined;
  accounts: string[];
  identityKinds: IdentityKind[];
  failureRates: Record<FailureClass, number>;
  retryRedraws: boolean;
  retryAfterMs: number;
  seed: number;
  idempotent: boolean;
  contentTypes: ContentType[];
  maxTextLength: number | undefined;
  retain: number;
  engagement: EngagementConfig | undefined;
}

/**
 * The demo preset's failure rates: 3 % in all, shaped after what operators report for a mass
 * send (users blocking the sender, stale numbers, network errors, the odd restricted account).
 */
export const demoFailureRates: Readonly<Record<FailureClass, number>> = {
  rate_limited: 0.003,
  network: 0.008,
  invalid_recipient: 0.005,
  blocked_by_user: 0.01,
  account_restricted: 0.002,
  content_rejected: 0.001,
  unknown: 0.001,
  // The sandbox holds nothing for confirmation.
  unconfirmed: 0,
};

/**
 * The demo preset's engagement: open rate ≈ 34 %, click-through ≈ 8.5 % of reached; quick, so
 * most of it lands while the demo campaign is still running and its live page shows it.
 */
export const demoEngagement: Readonly<EngagementOptions> = {
  delivered: 0.97,
  read: 0.35,
  clicked: 0.25,
  deliveredAfterMs: { min: 200, max: 2000 },
  readAfterMs: { min: 1000, max: 15_000 },
  clickedAfterMs: { min: 1000, max: 10_000 },
};

const DEFAULT_NAME = 'channel:sandbox';

const unique = <T>(items: T[]) => new Set(items).size === items.length;
const count = z.number().int().positive();
const probability = z.number().min(0).max(1);
const range = z
  .strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) })
  .refine((l) => l.min <= l.max, { message: 'must not be below min', path: ['max'] });
const engagement = z.strictObject({
  delivered: probability.optional(),
  read: probability.optional(),
  clicked: probability.optional(),
  deliveredAfterMs: range.optional(),
  readAfterMs: range.optional(),
  clickedAfterMs: range.optional(),
});

function engagementConfig(o: EngagementOptions): EngagementConfig {
  return {
    delivered: o.delivered ?? 1,
    read: o.read ?? 0,
    clicked: o.clicked ?? 0,
    deliveredAfterMs: o.deliveredAfterMs ?? { min: 200, max: 3000 },
    readAfterMs: o.readAfterMs ?? { min: 2000, max: 60_000 },
    clickedAfterMs: o.clickedAfterMs ?? { min: 1000, max: 20_000 },
  };
}

const shape = {
  name: z
    .string()
    .regex(/^channel:[a-z0-9][a-z0-9._-]*$/, 'must be "channel:" followed by a lower-case id')
    .optional(),
  preset: z.enum(['demo']).optional(),
  latencyMs: z
    .strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) })
    .refine((l) => l.min <= l.max, { message: 'must not be below min', path: ['max'] })
    .optional(),
  maxRecipientsPerSend: count.optional(),
  ratePerSecond: z.number().positive().optional(),
  maxSendsPerDay: count.optional(),
  accounts: z.array(z.string().min(1)).refine(unique, 'must not repeat an account').optional(),
  identityKinds: z.array(z.enum(identityKinds)).min(1).refine(unique, 'must not repeat a kind').optional(),
  failureRates: z.partialRecord(z.enum(failureClasses), probability).optional(),
  retryRedraws: z.boolean().optional(),
  retryAfterMs: z.number().int().min(0).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  idempotent: z.boolean().optional(),
  contentTypes: z.array(z.enum(contentTypes)).min(1).refine(unique, 'must not repeat a type').optional(),
  maxTextLength: count.optional(),
  retain: count.optional(),
  engagement: engagement.optional(),
} satisfies { [K in keyof Required<SandboxOptions>]: z.ZodType };

const schema = z
  .strictObject(shape)
  .transform((o): SandboxConfig => {
    const demo = o.preset === 'demo';
    const zero = Object.fromEntries(failureClasses.map((c) => [c, 0])) as Record<FailureClass, number>;
    return {
      name: (o.name ?? DEFAULT_NAME) as `channel:${string}`,
      latencyMs: o.latencyMs ?? { min: 20, max: 80 },
      maxRecipientsPerSend: o.maxRecipientsPerSend ?? 200,
      ratePerSecond: o.ratePerSecond,
      maxSendsPerDay: o.maxSendsPerDay,
      accounts: o.accounts ?? [],
      identityKinds: o.identityKinds ?? [...identityKinds],
      failureRates: { ...zero, ...(demo ? demoFailureRates : {}), ...o.failureRates },
      retryRedraws: o.retryRedraws ?? demo,
      retryAfterMs: o.retryAfterMs ?? 1000,
      seed: o.seed ?? 1,
      idempotent: o.idempotent ?? true,
      contentTypes: o.contentTypes ?? [...contentTypes],
      maxTextLength: o.maxTextLength,
      retain: o.retain ?? 100_000,
      engagement:
        o.engagement || demo
          ? engagementConfig({ ...(demo ? demoEngagement : {}), ...o.engagement })
          : undefined,
    };
  })
  .refine((c) => failureClasses.reduce((sum, k) => sum + c.failureRates[k], 0) <= 1 + 1e-9, {
    message: 'rates must sum to at most 1',
    path: ['failureRates'],
  });

/** Validates and normalises the options; throws PLUGIN_OPTIONS_INVALID naming the field. */
export function parseSandboxOptions(options: SandboxOptions | undefined): SandboxConfig {
  const raw: unknown = options;
  const candidate =
    raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' ? raw.name : undefined;
  const plugin = candidate?.startsWith('channel:') ? candidate : DEFAULT_NAME;
  return parsePluginOptions(plugin, schema, options);
}
