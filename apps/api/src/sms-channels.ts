import { smsAliyun, smsTencent } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { z } from 'zod';

/** `ALIYUN_SMS_*` / `TENCENT_SMS_*`: each provider is loaded when its credentials are set. */
const envSchema = z.object({
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().min(1).optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().min(1).optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().min(1).optional(),
  /** host[:port]; default the real endpoint. */
  ALIYUN_SMS_ENDPOINT: z.string().min(1).optional(),
  ALIYUN_SMS_PROTOCOL: z.enum(['https', 'http']).optional(),
  ALIYUN_SMS_CALLBACK_TOKEN: z.string().min(16).optional(),
  /** JSON object: a variant's template name → Aliyun template code. */
  ALIYUN_SMS_TEMPLATES: z.string().optional(),
  TENCENT_SMS_SECRET_ID: z.string().min(1).optional(),
  TENCENT_SMS_SECRET_KEY: z.string().min(1).optional(),
  TENCENT_SMS_SDK_APP_ID: z.string().min(1).optional(),
  TENCENT_SMS_SIGN_NAME: z.string().min(1).optional(),
  TENCENT_SMS_ENDPOINT: z.string().min(1).optional(),
  TENCENT_SMS_PROTOCOL: z.enum(['https://', 'http://']).optional(),
  TENCENT_SMS_CALLBACK_TOKEN: z.string().min(16).optional(),
  /** JSON object: a variant's template name → Tencent template id. */
  TENCENT_SMS_TEMPLATES: z.string().optional(),
});

const json = (text: string | undefined, name: string): Record<string, string> | undefined => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    throw new Error(`${name} must be a JSON object`);
  }
};

/**
 * The SMS channels the environment configures: `channel:sms-aliyun` with `ALIYUN_SMS_ACCESS_KEY_ID`,
 * `…_SECRET` and `…_SIGN_NAME`; `channel:sms-tencent` with `TENCENT_SMS_SECRET_ID`, `…_SECRET_KEY`,
 * `…_SDK_APP_ID` and `…_SIGN_NAME`. Options are validated by each channel's factory.
 */
export function smsChannelsFromEnv(env: Record<string, string | undefined>): QunfaPlugin[] {
  const e = envSchema.parse(env);
  const plugins: QunfaPlugin[] = [];
  if (e.ALIYUN_SMS_ACCESS_KEY_ID || e.ALIYUN_SMS_ACCESS_KEY_SECRET) {
    plugins.push(
      smsAliyun({
        accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID ?? '',
        accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET ?? '',
        signName: e.ALIYUN_SMS_SIGN_NAME ?? '',
        ...(e.ALIYUN_SMS_ENDPOINT ? { endpoint: e.ALIYUN_SMS_ENDPOINT } : {}),
        ...(e.ALIYUN_SMS_PROTOCOL ? { protocol: e.ALIYUN_SMS_PROTOCOL } : {}),
        ...(e.ALIYUN_SMS_CALLBACK_TOKEN ? { callbackToken: e.ALIYUN_SMS_CALLBACK_TOKEN } : {}),
        ...(e.ALIYUN_SMS_TEMPLATES
          ? { templates: json(e.ALIYUN_SMS_TEMPLATES, 'ALIYUN_SMS_TEMPLATES') }
          : {}),
      }),
    );
  }
  if (e.TENCENT_SMS_SECRET_ID || e.TENCENT_SMS_SECRET_KEY) {
    plugins.push(
      smsTencent({
        secretId: e.TENCENT_SMS_SECRET_ID ?? '',
        secretKey: e.TENCENT_SMS_SECRET_KEY ?? '',
        smsSdkAppId: e.TENCENT_SMS_SDK_APP_ID ?? '',
        signName: e.TENCENT_SMS_SIGN_NAME ?? '',
        ...(e.TENCENT_SMS_ENDPOINT ? { endpoint: e.TENCENT_SMS_ENDPOINT } : {}),
        ...(e.TENCENT_SMS_PROTOCOL ? { protocol: e.TENCENT_SMS_PROTOCOL } : {}),
        ...(e.TENCENT_SMS_CALLBACK_TOKEN ? { callbackToken: e.TENCENT_SMS_CALLBACK_TOKEN } : {}),
        ...(e.TENCENT_SMS_TEMPLATES
          ? { templates: json(e.TENCENT_SMS_TEMPLATES, 'TENCENT_SMS_TEMPLATES') }
          : {}),
      }),
    );
  }
  return plugins;
}
