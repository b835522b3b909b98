import type { SmsTemplateSpec } from '@qunfa/core';
import { z } from 'zod';

/**
 * An account's templates, by the name a variant gives in its `subject`: either the account's
 * own template id (so one variant goes out through Aliyun and, on failover, Tencent Cloud), or
 * `{ id?, text, kind? }` with the approved text (`${code}` on Aliyun, `{1}` on Tencent Cloud) so
 * the content rules check parameters, length and wording before a start. `id` defaults to the name.
 */
export type SmsTemplatesOption = Record<
  string,
  string | { id?: string; text: string; kind?: 'marketing' | 'notification' | 'verification' }
>;

/** The `templates` option's schema, with the provider's form of a template id. */
export function smsTemplatesSchema(id: z.ZodString) {
  return z.record(
    z.string().min(1),
    z.union([
      id,
      z.strictObject({
        id: id.optional(),
        text: z.string().min(1, 'must be the approved template text'),
        kind: z.enum(['marketing', 'notification', 'verification']).optional(),
      }),
    ]),
  );
}

/** A sign name as the providers approve it: 2–12 characters (Tencent: up to 20), no 【】 (the provider adds them). */
export function signNameSchema(max: number) {
  return z
    .string()
    .min(2, `must be the approved sign name (2–${max} characters)`)
    .max(max, `must be the approved sign name (2–${max} characters)`)
    .refine((s) => !/[【】[\]]/.test(s), 'must be the bare sign name: the provider adds 【】');
}

/** The registry as the content rules see it (`limits.sms.templates`). */
export function normaliseSmsTemplates(option: SmsTemplatesOption = {}): Record<string, SmsTemplateSpec> {
  return Object.fromEntries(
    Object.entries(option).map(([name, value]) => {
      if (typeof value === 'string') return [name, { id: value }];
      return [name, { id: value.id ?? name, text: value.text, ...(value.kind ? { kind: value.kind } : {}) }];
    }),
  );
}

/** Subject → the account's template id, as `readSmsTemplate` maps it. */
export function templateIds(templates: Record<string, SmsTemplateSpec>): Record<string, string> {
  return Object.fromEntries(Object.entries(templates).map(([name, t]) => [name, t.id]));
}
