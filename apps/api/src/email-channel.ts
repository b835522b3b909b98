import { emailSmtp } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { z } from 'zod';

/** `EMAIL_SMTP_*`: the e-mail channel is loaded when a host is set. */
const envSchema = z.object({
  EMAIL_SMTP_HOST: z.string().min(1).optional(),
  /** Default 465 with EMAIL_SMTP_SECURE=true, else 587. */
  EMAIL_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** `true`: TLS from the first byte (465); default STARTTLS. */
  EMAIL_SMTP_SECURE: z.enum(['true', 'false']).optional(),
  EMAIL_SMTP_USER: z.string().min(1).optional(),
  EMAIL_SMTP_PASS: z.string().min(1).optional(),
  EMAIL_SMTP_FROM: z.string().min(1).optional(),
  EMAIL_SMTP_REPLY_TO: z.string().min(1).optional(),
  EMAIL_SMTP_RETURN_PATH: z.string().min(1).optional(),
  EMAIL_SMTP_POOL_SIZE: z.coerce.number().int().min(1).optional(),
  /** Messages a second. */
  EMAIL_SMTP_RATE: z.coerce.number().positive().optional(),
  EMAIL_SMTP_BOUNCE_TOKEN: z.string().min(16).optional(),
});

/**
 * `channel:email-smtp` from `EMAIL_SMTP_HOST` and `EMAIL_SMTP_FROM` (plus port, TLS, login,
 * Reply-To, Return-Path, pool size, rate and the bounce webhook token); options are validated by the factory.
 */
export function emailChannelFromEnv(env: Record<string, string | undefined>): QunfaPlugin[] {
  const e = envSchema.parse(env);
  if (!e.EMAIL_SMTP_HOST) return [];
  return [
    emailSmtp({
      host: e.EMAIL_SMTP_HOST,
      from: e.EMAIL_SMTP_FROM ?? '',
      ...(e.EMAIL_SMTP_PORT ? { port: e.EMAIL_SMTP_PORT } : {}),
      ...(e.EMAIL_SMTP_SECURE ? { secure: e.EMAIL_SMTP_SECURE === 'true' } : {}),
      ...(e.EMAIL_SMTP_USER ? { auth: { user: e.EMAIL_SMTP_USER, pass: e.EMAIL_SMTP_PASS ?? '' } } : {}),
      ...(e.EMAIL_SMTP_REPLY_TO ? { replyTo: e.EMAIL_SMTP_REPLY_TO } : {}),
      ...(e.EMAIL_SMTP_RETURN_PATH ? { returnPath: e.EMAIL_SMTP_RETURN_PATH } : {}),
      ...(e.EMAIL_SMTP_POOL_SIZE ? { poolSize: e.EMAIL_SMTP_POOL_SIZE } : {}),
      ...(e.EMAIL_SMTP_RATE ? { ratePerSecond: e.EMAIL_SMTP_RATE } : {}),
      ...(e.EMAIL_SMTP_BOUNCE_TOKEN ? { bounceToken: e.EMAIL_SMTP_BOUNCE_TOKEN } : {}),
    }),
  ];
}
