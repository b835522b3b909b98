import {
  type ComplianceRule,
  isTimeZone,
  parsePluginOptions,
  type RecipientFacts,
  type RecipientVerdict,
} from '@qunfa/core';
import { z } from 'zod';
import { createRecipientFactsLoader, type RecipientFactsLoader } from './facts-loader.js';
import { quietHoursRule } from './quiet-hours.js';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 00:00–23:59');
const day = 24 * 60 * 60 * 1000;

const optionsSchema = z.object({
  /** Where the facts come from: the app's one-query-per-batch read port. Required. */
  facts: z.custom<RecipientFacts>(
    (v) => typeof v === 'object' && v !== null && typeof (v as RecipientFacts).recipientFacts === 'function',
    'a RecipientFacts port',
  ),
  /** Suppressions that stop a send at send time. Default: unsubscribed, blacklisted, complained, erased, opted_out (of this campaign). */
  suppress: z
    .array(z.string().min(1))
    .default(['unsubscribed', 'blacklisted', 'complained', 'erased', 'opted_out']),
  frequencyCap: z
    .object({
      /** Marketing messages a contact may get in the window, across channels and campaigns. Default 4. */
      max: z.number().int().min(1).default(4),
      /** The window, in days, ending now. Default 30. */
      windowDays: z.number().int().min(1).max(366).default(30),
    })
    .default({ max: 4, windowDays: 30 }),
  quietHours: z
    .object({
      /** False: no quiet hours unless a workspace or campaign sets some. Default true. */
      enabled: z.boolean().default(true),
      /** Local time the quiet period starts. Default 22:00. */
      start: clock.default('22:00'),
      /** Local time it ends; sends are deferred to it. Default 08:00. */
      end: clock.default('08:00'),
      /** Time zone when the port knows none for a contact. Default Asia/Shanghai. */
      fallbackTimeZone: z.string().refine(isTimeZone, 'an IANA time zone').default('Asia/Shanghai'),
    })
    .default({ enabled: true, start: '22:00', end: '08:00', fallbackTimeZone: 'Asia/Shanghai' }),
});

export type RecipientRulesOptions = z.input<typeof optionsSchema>;

/**
 * The send-time recipient rules — `rule:suppression`, `rule:frequency-cap`, `rule:quiet-hours` —
 * sharing one facts query per batch. Each judges the whole batch from the facts, set-based.
 * Quiet hours apply per campaign, else per workspace (`RecipientFact.quietHours`), else these options.
 */
export function recipientRules(options: RecipientRulesOptions): ComplianceRule[] {
  const opts = parsePluginOptions('rule:recipients', optionsSchema, options);
  const load = createRecipientFactsLoader(opts.facts, opts.frequencyCap.windowDays * day);
  const quiet = opts.quietHours;
  return [
    suppression(load, opts.suppress),
    frequencyCap(load, opts.frequencyCap),
    quietHoursRule(load, {
      fallback: quiet.enabled ? { start: quiet.start, end: quiet.end } : 'off',
      fallbackTimeZone: quiet.fallbackTimeZone,
    }),
  ];
}

function suppression(load: RecipientFactsLoader, reasons: string[]): ComplianceRule {
  const stopping = new Set(reasons);
  return {
    kind: 'rule',
    name: 'rule:suppression',
    async checkRecipients(batch, ctx) {
      const facts = await load(batch, ctx);
      return batch.flatMap((c): RecipientVerdict[] => {
        const reason = facts.get(c.contactId)?.suppressions.find((r) => stopping.has(r));
        return reason ? [{ deliveryId: c.deliveryId, action: 'suppress', reason }] : [];
      });
    },
  };
}

function frequencyCap(load: RecipientFactsLoader, cap: { max: number; windowDays: number }): ComplianceRule {
  return {
    kind: 'rule',
    name: 'rule:frequency-cap',
    async checkRecipients(batch, ctx) {
      const facts = await load(batch, ctx);
      // A person's cap: a customer group is not a person (WeCom caps its mass messages itself).
      return batch.flatMap((c): RecipientVerdict[] =>
        facts.get(c.contactId)?.kind !== 'group' && (facts.get(c.contactId)?.sentSince ?? 0) >= cap.max
          ? [{ deliveryId: c.deliveryId, action: 'suppress', reason: 'frequency_cap' }]
          : [],
      );
    },
  };
}
