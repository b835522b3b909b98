import type { ChannelLimits, SmsTemplateSpec } from '@qunfa/core';
import { z } from 'zod';

/** Option fields every SMS account takes, whatever the provider (validated alike). */
export const smsAccountFields = {
  name: z
    .string()
    .regex(/^channel:[a-z0-9][a-z0-9-]*$/, 'must be "channel:" followed by a lower-case id')
    .optional(),
  ratePerSecond: z.number().positive().optional(),
  maxSendsPerDay: z.number().int().positive().optional(),
  callbackToken: z.string().min(16, 'must be at least 16 characters').optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
};

/** What an SMS account's limits are made of, from its parsed options. */
export interface SmsAccountConfig {
  signName: string;
  ratePerSecond: number | undefined;
  maxSendsPerDay: number | undefined;
  smsTemplates: Record<string, SmsTemplateSpec>;
}

/** An SMS channel's limits: template content only, per-number status reports, no recall, no idempotency key. */
export function smsChannelLimits(config: SmsAccountConfig, maxRecipientsPerSend: number): ChannelLimits {
  return {
    maxRecipientsPerSend,
    ...(config.ratePerSecond === undefined ? {} : { ratePerSecond: config.ratePerSecond }),
    ...(config.maxSendsPerDay === undefined ? {} : { maxSendsPerDay: config.maxSendsPerDay }),
    contentTypes: ['template'],
    receipts: true,
    // Status reports (回执) per phone number: delivered or failed; SMS has no read.
    receiptStates: { template: ['delivered'] },
    recall: false,
    idempotencyKeys: false,
    sms: { signName: config.signName, templates: config.smsTemplates },
  };
}
