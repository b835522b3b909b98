import {
  isTimeZone,
  type Logger,
  type PluginState,
  parsePluginOptions,
  type RateLimiter,
  silentLogger,
} from '@qunfa/core';
import { z } from 'zod';
import { type AccountPolicy, type AccountPolicyPatch, policySchema } from './policy.js';
import type { PuppetFactory } from './puppet.js';
import { defaultRiskPatterns } from './risk.js';

/** Options of `wechatPersonal(options)`. */
export interface WechatPersonalOptions {
  /** Plugin name. Default `channel:wechat-personal`. */
  name?: `channel:${string}`;
  /**
   * Puppet profiles by name: an account names the one that drives it. A factory makes a new
   * puppet for an account (`puppetFromModule('wechaty-puppet-service', ({ id }) => ({ token }))`). Required, at least one.
   */
  puppets: Record<string, PuppetFactory>;
  /** State shared by every process (account records, cool-downs). Required: the app's plugin state, scoped. */
  state: PluginState;
  /** The rate limiter shared by every worker: mass sends and budgets per account are counted there. Required. */
  limiter: RateLimiter;
  /** Default limits policy of an account; each account may override it. Default `defaultPolicy`. */
  policy?: AccountPolicyPatch;
  /** Time zone of the day budgets. Default Asia/Shanghai. */
  timeZone?: string;
  /** Words in a puppet's error that mean WeChat throttled or restricted the account. Default `defaultRiskPatterns`. */
  riskPatterns?: string[];
  /** Error codes of the puppet in use that mean the same. Default none. */
  riskCodes?: (string | number)[];
  /** How long a batch waits for an account not logged in in this process, in ms. Default 600 000. */
  offlineRetryMs?: number;
  /** How long a batch waits for an account paused by its health score before it is looked at again, in ms. Default 3 600 000. */
  pausedRetryMs?: number;
  /** Inbound messages kept between two polls. Default 10 000. */
  inboundBuffer?: number;
  /** The clock of account records and admin calls. Default the system clock. */
  now?: () => Date;
  /** Pause between messages; tests pass a fast one. Default a timer that the signal cancels. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for the pauses. Default Math.random. */
  random?: () => number;
  logger?: Logger;
}

const schema = z.object({
  name: z
    .string()
    .regex(/^channel:[a-z0-9-]+$/)
    .default('channel:wechat-personal'),
  puppets: z
    .record(
      z.string().min(1),
      z.custom<PuppetFactory>((v) => typeof v === 'function', 'a puppet factory'),
    )
    .refine((p) => Object.keys(p).length > 0, 'at least one puppet profile'),
  state: z.custom<PluginState>((v) => typeof (v as PluginState)?.get === 'function', 'a PluginState'),
  limiter: z.custom<RateLimiter>(
    (v) => typeof (v as RateLimiter)?.consumeQuota === 'function',
    'a RateLimiter',
  ),
  policy: policySchema.prefault({}),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone').default('Asia/Shanghai'),
  riskPatterns: z.array(z.string().min(1)).default([...defaultRiskPatterns]),
  riskCodes: z.array(z.union([z.string(), z.number()])).default([]),
  offlineRetryMs: z.number().int().min(1000).default(600_000),
  pausedRetryMs: z.number().int().min(1000).default(3_600_000),
  inboundBuffer: z.number().int().min(1).default(10_000),
  now: z.custom<() => Date>((v) => typeof v === 'function').default(() => () => new Date()),
  sleep: z
    .custom<(ms: number, signal: AbortSignal) => Promise<void>>((v) => typeof v === 'function')
    .default(() => abortableSleep),
  random: z.custom<() => number>((v) => typeof v === 'function').default(() => Math.random),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null).default(silentLogger),
});

export type WechatPersonalConfig = Omit<z.output<typeof schema>, 'policy' | 'name'> & {
  name: `channel:${string}`;
  policy: AccountPolicy;
};

export function parseOptions(options: WechatPersonalOptions): WechatPersonalConfig {
  return parsePluginOptions('channel:wechat-personal', schema, options) as WechatPersonalConfig;
}

/** A pause the signal ends early (a worker shutting down). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
