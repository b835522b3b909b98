import { parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';

/** One self-built application (自建应用) of the corp. */
export interface WecomAppOptions {
  /** The application's AgentId. Required. */
  agentId: number;
  /** The application's Secret. Never logged. Required. */
  secret: string;
}

/** How many customer mass messages WeCom lets one customer receive (管理后台 → 客户联系 → 群发设置). */
export type CustomerCap = 'month-days' | 'week-7' | 'day-1';

/** Options of `wecom(options)`. */
export interface WecomOptions {
  /** Plugin name, `channel:<lower-case id>`, to load several corps. Default `channel:wecom`. */
  name?: `channel:${string}`;
  /** The corp's ID (企业ID, 我的企业 → 企业信息). Required. */
  corpId: string;
  /** Applications; the first sends application messages unless a batch names another by AgentId. Required, at least one. */
  apps: WecomAppOptions[];
  /**
   * The customer-contact secret (客户联系 → API → Secret) for `externalcontact/*` calls. Default:
   * the first app's secret (an app listed under 可调用应用 may call them too). Never logged.
   */
  contactSecret?: string;
  /** Callback settings (接收消息服务器配置): `token` and the 43-character `encodingAESKey`. Default none (callbacks refused). */
  callback?: { token: string; encodingAESKey: string };
  /** Base URL of the API. Default `https://qyapi.weixin.qq.com`. */
  baseUrl?: string;
  /** Timeout of one HTTP request. Default 10000 (ms). */
  timeoutMs?: number;
  /** Retries of a call answered -1 (system busy; WeCom advises at most 3), with doubling back-off. Default 2. */
  busyRetries?: number;
  /** First back-off after -1. Default 200 (ms). */
  busyBackoffMs?: number;
  /**
   * `duplicate_check_interval` of `message/send`: the same request within it is not delivered twice,
   * so a batch sent again after a crash reaches nobody twice. Default 14400 (s, WeCom's maximum).
   */
  duplicateCheckIntervalSec?: number;
  /** Messages one app may send one member a minute (WeCom drops the rest silently). Default 30. */
  memberPerMinute?: number;
  /** Messages one app may send one member an hour. Default 1000. */
  memberPerHour?: number;
  /** The corp's customer mass-message setting: as many a month as it has days (default), 7 a week, or 1 a day. */
  customerCap?: CustomerCap;
  /** A callback whose timestamp is further than this from now is refused. Default 300 (s). */
  callbackMaxSkewSec?: number;
  /** Staff members (userids) who send to their customers before anyone else, in this order. Default none. */
  pinnedSenders?: string[];
  /**
   * A customer task its sender has not confirmed this long after it was created is cancelled
   * (`cancel_groupmsg_send`) and its customers reported failed `unconfirmed`, which moves them to
   * the plan's next step. A campaign's plan step may set its own (`confirmationDeadlineMs`); a
   * step that escalates sooner than its deadline is refused at start. Default none (ms).
   */
  confirmationDeadlineMs?: number;
  /** First wait before a customer task's results are queried again; it doubles up to an hour. Default 60000 (ms). */
  taskPollMs?: number;
}

export interface WecomConfig {
  name: `channel:${string}`;
  corpId: string;
  apps: WecomAppOptions[];
  contactSecret: string | undefined;
  callback: { token: string; encodingAESKey: string } | undefined;
  baseUrl: string;
  timeoutMs: number;
  busyRetries: number;
  busyBackoffMs: number;
  duplicateCheckIntervalSec: number;
  memberPerMinute: number;
  memberPerHour: number;
  customerCap: CustomerCap;
  callbackMaxSkewSec: number;
  pinnedSenders: string[];
  confirmationDeadlineMs: number | undefined;
  taskPollMs: number;
}

const DEFAULT_NAME = 'channel:wecom';

const shape = {
  name: z
    .string()
    .regex(/^channel:[a-z0-9][a-z0-9-]*$/, 'must be "channel:" followed by a lower-case id')
    .optional(),
  corpId: z.string().regex(/^w[wx][0-9A-Za-z]{6,32}$/, 'must be the corp ID shown in 我的企业 (ww…)'),
  apps: z
    .array(
      z.strictObject({
        agentId: z.number().int().positive(),
        secret: z.string().min(1, 'is required'),
      }),
    )
    .min(1, 'needs at least one application')
    .refine((apps) => new Set(apps.map((a) => a.agentId)).size === apps.length, 'agentIds must differ'),
  contactSecret: z.string().min(1).optional(),
  callback: z
    .strictObject({
      token: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be at most 32 letters or digits'),
      encodingAESKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters or digits'),
    })
    .optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  timeoutMs: z.number().int().positive().optional(),
  busyRetries: z.number().int().min(0).max(3).optional(),
  busyBackoffMs: z.number().int().min(0).optional(),
  duplicateCheckIntervalSec: z.number().int().min(1).max(14_400).optional(),
  memberPerMinute: z.number().int().min(1).max(30).optional(),
  memberPerHour: z.number().int().min(1).max(1000).optional(),
  customerCap: z.enum(['month-days', 'week-7', 'day-1']).optional(),
  callbackMaxSkewSec: z.number().int().min(1).max(86_400).optional(),
  pinnedSenders: z.array(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be userids')).optional(),
  confirmationDeadlineMs: z.number().int().min(1000).optional(),
  taskPollMs: z.number().int().min(10).max(3_600_000).optional(),
} satisfies { [K in keyof Required<WecomOptions>]: z.ZodType };

const schema = z.strictObject(shape).transform(
  (o): WecomConfig => ({
    name: (o.name ?? DEFAULT_NAME) as `channel:${string}`,
    corpId: o.corpId,
    apps: o.apps.map((a) => ({ agentId: a.agentId, secret: a.secret })),
    contactSecret: o.contactSecret,
    callback: o.callback ? { ...o.callback } : undefined,
    baseUrl: (o.baseUrl ?? 'https://qyapi.weixin.qq.com').replace(/\/+$/, ''),
    timeoutMs: o.timeoutMs ?? 10_000,
    busyRetries: o.busyRetries ?? 2,
    busyBackoffMs: o.busyBackoffMs ?? 200,
    duplicateCheckIntervalSec: o.duplicateCheckIntervalSec ?? 14_400,
    memberPerMinute: o.memberPerMinute ?? 30,
    memberPerHour: o.memberPerHour ?? 1000,
    customerCap: o.customerCap ?? 'month-days',
    callbackMaxSkewSec: o.callbackMaxSkewSec ?? 300,
    pinnedSenders: o.pinnedSenders ?? [],
    confirmationDeadlineMs: o.confirmationDeadlineMs,
    taskPollMs: o.taskPollMs ?? 60_000,
  }),
);

/** Validates the options; throws PLUGIN_OPTIONS_INVALID naming the field, never echoing a secret. */
export function parseWecomOptions(options: WecomOptions): WecomConfig {
  const raw: unknown = options;
  const candidate =
    raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' ? raw.name : undefined;
  return parsePluginOptions(candidate?.startsWith('channel:') ? candidate : DEFAULT_NAME, schema, options);
}
