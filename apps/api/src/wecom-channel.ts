import { wecom } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { z } from 'zod';

/** `WECOM_*`: the channel is loaded when a corp id is set. */
const envSchema = z.object({
  WECOM_CORP_ID: z.string().min(1).optional(),
  WECOM_AGENT_ID: z.string().regex(/^\d+$/, 'must be the AgentId (digits)').optional(),
  WECOM_APP_SECRET: z.string().min(1).optional(),
  WECOM_CONTACT_SECRET: z.string().min(1).optional(),
  WECOM_CALLBACK_TOKEN: z.string().min(1).optional(),
  WECOM_ENCODING_AES_KEY: z.string().min(1).optional(),
  /** Default https://qyapi.weixin.qq.com; a local fake in tests and demos. */
  WECOM_BASE_URL: z.string().min(1).optional(),
  /** Unconfirmed customer tasks are cancelled this long after they were created. Default none (ms). */
  WECOM_CONFIRMATION_DEADLINE_MS: z.string().regex(/^\d+$/).optional(),
});

/**
 * `channel:wecom` as the environment configures it: `WECOM_CORP_ID`, `WECOM_AGENT_ID` and
 * `WECOM_APP_SECRET` (the app that sends application messages), `WECOM_CONTACT_SECRET` for the
 * customer calls, `WECOM_CALLBACK_TOKEN` and `WECOM_ENCODING_AES_KEY` for `/callbacks/wecom`.
 * Options are validated by the factory (PLUGIN_OPTIONS_INVALID names the field, never a secret).
 */
export function wecomChannelFromEnv(env: Record<string, string | undefined>): QunfaPlugin[] {
  const e = envSchema.parse(env);
  if (!e.WECOM_CORP_ID) return [];
  return [
    wecom({
      corpId: e.WECOM_CORP_ID,
      apps: [{ agentId: Number(e.WECOM_AGENT_ID ?? 0), secret: e.WECOM_APP_SECRET ?? '' }],
      ...(e.WECOM_CONTACT_SECRET ? { contactSecret: e.WECOM_CONTACT_SECRET } : {}),
      ...(e.WECOM_CALLBACK_TOKEN || e.WECOM_ENCODING_AES_KEY
        ? {
            callback: { token: e.WECOM_CALLBACK_TOKEN ?? '', encodingAESKey: e.WECOM_ENCODING_AES_KEY ?? '' },
          }
        : {}),
      ...(e.WECOM_BASE_URL ? { baseUrl: e.WECOM_BASE_URL } : {}),
      ...(e.WECOM_CONFIRMATION_DEADLINE_MS
        ? { confirmationDeadlineMs: Number(e.WECOM_CONFIRMATION_DEADLINE_MS) }
        : {}),
    }),
  ];
}
