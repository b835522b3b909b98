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

/** Options of `smsTencent(options)`. */
export interface SmsTencentOptions {
  /** Plugin name, `channel:<lower-case id>`. Default `channel:sms-tencent`. */
  name?: `channel:${string}`;
  /** CAM SecretId. Required. */
  secretId: string;
  /** CAM SecretKey. Never logged. Required. */
  secretKey: string;
  /** The SMS application's SdkAppId (e.g. `1400006666`). Required. */
  smsSdkAppId: string;
  /** The approved sign name (签名内容), e.g. `腾讯云`. Required. */
  signName: string;
  /** API region. Default `ap-guangzhou`. */
  region?: string;
  /** API endpoint host[:port]. Default `sms.tencentcloudapi.com`. */
  endpoint?: string;
  /** `https://` or `http://` (a local fake). Default `https://`. */
  protocol?: 'https://' | 'http://';
  /** Timeout of one call, whole seconds (the SDK's unit). Default 10 (s). */
  timeoutSec?: number;
  /** Recipients a second (SendSms allows 3,000 calls/s). Default undefined (no pacing). */
  ratePerSecond?: number;
  /** Recipients a day. Default undefined. */
  maxSendsPerDay?: number;
  /** Secret carried in the status and reply callback URLs you configure (Tencent signs no callback). ≥ 16 characters. Default none. */
  callbackToken?: string;
  /** Receipts / replies pulled per call (PullSmsSendStatus / PullSmsReplyStatus allow ≤ 100). Default 100. */
  pullLimit?: number;
  /** Concurrent SendSms calls within one batch. Default 4. */
  concurrency?: number;
  /**
   * A variant's template name (its `subject`) → this account's template id, so one variant can go
   * out through Aliyun (`SMS_…`) and, on failover, Tencent (digits). Unlisted subjects are ids. Default {}.
   */
  templates?: SmsTemplatesOption;
}

export interface SmsTencentConfig {
  name: `channel:${string}`;
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  signName: string;
  region: string;
  endpoint: string;
  protocol: 'https://' | 'http://';
  timeoutSec: number;
  ratePerSecond: number | undefined;
  maxSendsPerDay: number | undefined;
  callbackToken: string | undefined;
  pullLimit: number;
  concurrency: number;
  /** Subject → the account's template id. */
  templates: Record<string, string>;
  /** The registry the content rules read (`limits.sms.templates`). */
  smsTemplates: Record<string, SmsTemplateSpec>;
}

const schema = z.strictObject({
  ...smsAccountFields,
  secretId: z.string().min(1, 'is required'),
  secretKey: z.string().min(1, 'is required'),
  smsSdkAppId: z.string().regex(/^\d{6,}$/, 'must be the SdkAppId shown in the console (digits)'),
  signName: signNameSchema(20),
  region: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  protocol: z.enum(['https://', 'http://']).optional(),
  timeoutSec: z.number().int().min(1).optional(),
  pullLimit: z.number().int().min(1).max(100).optional(),
  templates: smsTemplatesSchema(
    z.string().regex(/^\d+$/, 'must be a Tencent template id (digits)'),
  ).optional(),
});

export function parseSmsTencentOptions(options: SmsTencentOptions): SmsTencentConfig {
  const o = parsePluginOptions(options.name ?? 'channel:sms-tencent', schema, options);
  return {
    name: (o.name ?? 'channel:sms-tencent') as `channel:${string}`,
    secretId: o.secretId,
    secretKey: o.secretKey,
    smsSdkAppId: o.smsSdkAppId,
    signName: o.signName,
    region: o.region ?? 'ap-guangzhou',
    endpoint: o.endpoint ?? 'sms.tencentcloudapi.com',
    protocol: o.protocol ?? 'https://',
    timeoutSec: o.timeoutSec ?? 10,
    ratePerSecond: o.ratePerSecond,
    maxSendsPerDay: o.maxSendsPerDay,
    callbackToken: o.callbackToken,
    pullLimit: o.pullLimit ?? 100,
    concurrency: o.concurrency ?? 4,
    templates: templateIds(normaliseSmsTemplates(o.templates)),
    smsTemplates: normaliseSmsTemplates(o.templates),
  };
}
