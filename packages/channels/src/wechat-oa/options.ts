import { parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';

/** The account's kind, which decides what WeChat lets it mass-send. */
export type OaAccountType = 'subscription' | 'service';

/** Options of `wechatOa(options)`. */
export interface WechatOaOptions {
  /** Plugin name, `channel:<lower-case id>`, to load several accounts. Default `channel:wechat-oa`. */
  name?: `channel:${string}`;
  /** The account's AppID (开发者ID). Required. */
  appId: string;
  /** The account's AppSecret. Never logged. Required. */
  appSecret: string;
  /**
   * `subscription` (公众号/订阅号): one mass send a day, to all followers or a tag, no openid lists;
   * `service` (服务号): openid lists too, each follower receiving at most 4 mass sends a month. Required.
   */
  accountType: OaAccountType;
  /** `stable_token` (isolated from other callers, recommended) or the older `token`. Default `stable_token`. */
  tokenEndpoint?: 'stable_token' | 'token';
  /**
   * Message push settings (服务器配置): `token` (3–32 letters or digits) and, for the compatible or
   * safe mode, the 43-character `encodingAESKey`. Default none (callbacks refused).
   */
  callback?: { token: string; encodingAESKey?: string };
  /** The account has API mass-send protection on (设置-安全中心-风险操作保护): an administrator confirms each send within 30 min. Default false. */
  massSendProtection?: boolean;
  /** `send_ignore_reprint`: go on when an article is judged a reprint its author allows. Default false. */
  sendIgnoreReprint?: boolean;
  /** Base URL of the API. Default `https://api.weixin.qq.com`. */
  baseUrl?: string;
  /** Timeout of one HTTP request. Default 10000 (ms). */
  timeoutMs?: number;
  /** Retries of a call answered -1 (system busy), with doubling back-off. Default 2. */
  busyRetries?: number;
  /** First back-off after -1 (system busy). Default 200 (ms). */
  busyBackoffMs?: number;
  /** Template or subscription sends in flight at once in one batch. Default 8. */
  concurrency?: number;
  /** A callback whose timestamp is further than this from now is refused. Default 300 (s). */
  callbackMaxSkewSec?: number;
}

export interface WechatOaConfig {
  name: `channel:${string}`;
  appId: string;
  appSecret: string;
  accountType: OaAccountType;
  tokenEndpoint: 'stable_token' | 'token';
  callback: { token: string; encodingAESKey: string | undefined } | undefined;
  massSendProtection: boolean;
  sendIgnoreReprint: boolean;
  baseUrl: string;
  timeoutMs: number;
  busyRetries: number;
  busyBackoffMs: number;
  concurrency: number;
  callbackMaxSkewSec: number;
}

const DEFAULT_NAME = 'channel:wechat-oa';

const shape = {
  name: z
    .string()
    .regex(/^channel:[a-z0-9][a-z0-9-]*$/, 'must be "channel:" followed by a lower-case id')
    .optional(),
  appId: z.string().regex(/^wx[0-9a-zA-Z]{14,30}$/, 'must be the AppID shown in the console (wx…)'),
  appSecret: z.string().min(1, 'is required'),
  accountType: z.enum(['subscription', 'service']),
  tokenEndpoint: z.enum(['stable_token', 'token']).optional(),
  callback: z
    .strictObject({
      token: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3–32 letters or digits'),
      encodingAESKey: z
        .string()
        .regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters or digits')
        .optional(),
    })
    .optional(),
  massSendProtection: z.boolean().optional(),
  sendIgnoreReprint: z.boolean().optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  timeoutMs: z.number().int().positive().optional(),
  busyRetries: z.number().int().min(0).max(5).optional(),
  busyBackoffMs: z.number().int().min(0).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  callbackMaxSkewSec: z.number().int().min(1).max(86_400).optional(),
} satisfies { [K in keyof Required<WechatOaOptions>]: z.ZodType };

const schema = z.strictObject(shape).transform(
  (o): WechatOaConfig => ({
    name: (o.name ?? DEFAULT_NAME) as `channel:${string}`,
    appId: o.appId,
    appSecret: o.appSecret,
    accountType: o.accountType,
    tokenEndpoint: o.tokenEndpoint ?? 'stable_token',
    callback: o.callback ? { token: o.callback.token, encodingAESKey: o.callback.encodingAESKey } : undefined,
    massSendProtection: o.massSendProtection ?? false,
    sendIgnoreReprint: o.sendIgnoreReprint ?? false,
    baseUrl: (o.baseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''),
    timeoutMs: o.timeoutMs ?? 10_000,
    busyRetries: o.busyRetries ?? 2,
    busyBackoffMs: o.busyBackoffMs ?? 200,
    concurrency: o.concurrency ?? 8,
    callbackMaxSkewSec: o.callbackMaxSkewSec ?? 300,
  }),
);

/** Validates the options; throws PLUGIN_OPTIONS_INVALID naming the field, never echoing a secret. */
export function parseWechatOaOptions(options: WechatOaOptions): WechatOaConfig {
  const raw: unknown = options;
  const candidate =
    raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' ? raw.name : undefined;
  return parsePluginOptions(candidate?.startsWith('channel:') ? candidate : DEFAULT_NAME, schema, options);
}
