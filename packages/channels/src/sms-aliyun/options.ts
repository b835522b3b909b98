import { parsePluginOptions, type SmsTemplateSpec } from '@qunfa/core';
import { z } from 'zod';
import { smsAccountFields } from '../sms/account.js';
import {
  normaliseSmsTemplates,
  type SmsTemplatesOption,
  signNameSchema,
  smsTemplatesSchema,
  templateIds,
} from '../sms/template-registry.js';

/** Options of `smsAliyun(options)`. */
export interface SmsAliyunOptions {
  /** Plugin name, `channel:<lower-case id>`, to load several accounts. Default `channel:sms-aliyun`. */
  name?: `channel:${string}`;
  /** RAM AccessKey ID with `dysms:SendSms`, `dysms:SendBatchSms`, `dysms:QuerySendDetails`. Required. */
  accessKeyId: string;
  /** Its AccessKey secret. Never logged. Required. */
  accessKeySecret: string;
  /** The approved sign name (签名) every message carries, e.g. `阿里云`. Required. */
  signName: string;
  /** API endpoint host[:port]. Default `dysmsapi.aliyuncs.com`. */
  endpoint?: string;
  /** `https` or `http` (a local fake). Default `https`. */
  protocol?: 'https' | 'http';
  /** Read timeout of one call; the docs advise ≥ 1 s. Default 10000 (ms). */
  timeoutMs?: number;
  /** Connect timeout. Default 5000 (ms). */
  connectTimeoutMs?: number;
  /** Recipients a second this account may send (the API allows 5,000 calls/s per user). Default undefined (no pacing). */
  ratePerSecond?: number;
  /** Recipients a day (the console's 日发送量 threshold). Default undefined. */
  maxSendsPerDay?: number;
  /**
   * Secret carried in the SmsReport / SmsUp receiving URLs you configure in the console
   * (`…/callbacks/sms-aliyun/report?token=<secret>`): Aliyun signs no push, so the URL is the
   * credential. At least 16 characters. Default none (pushes refused).
   */
  callbackToken?: string;
  /** Concurrent API calls within one batch. Default 4. */
  concurrency?: number;
  /** A variant's template name (its `subject`) → this account's template code (`SMS_…`); unlisted subjects are codes. Default {}. */
  templates?: SmsTemplatesOption;
}

export interface SmsAliyunConfig {
  name: `channel:${string}`;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  endpoint: string;
  protocol: 'https' | 'http';
  timeoutMs: number;
  connectTimeoutMs: number;
  ratePerSecond: number | undefined;
  maxSendsPerDay: number | undefined;
  callbackToken: string | undefined;
  concurrency: number;
  /** Subject → the account's template id. */
  templates: Record<string, string>;
  /** The registry the content rules read (`limits.sms.templates`). */
  smsTemplates: Record<string, SmsTemplateSpec>;
}

const schema = z.strictObject({
  ...smsAccountFields,
  accessKeyId: z.string().min(1, 'is required'),
  accessKeySecret: z.string().min(1, 'is required'),
  signName: signNameSchema(12),
  endpoint: z.string().min(1).optional(),
  protocol: z.enum(['https', 'http']).optional(),
  timeoutMs: z.number().int().min(1000, 'the docs advise at least 1 s').optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  templates: smsTemplatesSchema(z.string().min(1)).optional(),
});

export function parseSmsAliyunOptions(options: SmsAliyunOptions): SmsAliyunConfig {
  const o = parsePluginOptions(options.name ?? 'channel:sms-aliyun', schema, options);
  return {
    name: (o.name ?? 'channel:sms-aliyun') as `channel:${string}`,
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    signName: o.signName,
    endpoint: o.endpoint ?? 'dysmsapi.aliyuncs.com',
    protocol: o.protocol ?? 'https',
    timeoutMs: o.timeoutMs ?? 10_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 5_000,
    ratePerSecond: o.ratePerSecond,
    maxSendsPerDay: o.maxSendsPerDay,
    callbackToken: o.callbackToken,
    concurrency: o.concurrency ?? 4,
    templates: templateIds(normaliseSmsTemplates(o.templates)),
    smsTemplates: normaliseSmsTemplates(o.templates),
  };
}
