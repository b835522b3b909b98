import { type ComplianceRule, defineRule, type Finding, KERNEL_VERSION } from '@qunfa/core';
import { z } from 'zod';

const name = 'rule:opt-out-notice';

const optionsSchema = z.object({
  /** Phrases any of which tells the recipient how to opt out. Default 回T退订, 退订回T, 拒收请回复R, 回TD退订. */
  phrases: z.array(z.string().min(1)).min(1).default(['回T退订', '退订回T', '拒收请回复R', '回TD退订']),
  /** Channels whose texts must carry one (SMS marketing rules). Default `channel:` names containing "sms". */
  channels: z.array(z.string().startsWith('channel:')).optional(),
  /** Level of the finding. Default revise (an approver may override). */
  level: z.enum(['block', 'revise', 'warn']).default('revise'),
});

export type OptOutNoticeOptions = z.input<typeof optionsSchema>;

/**
 * `rule:opt-out-notice`: a marketing text sent by SMS must tell people how to stop receiving
 * them (工信部 marketing-SMS practice: 回T退订). Judges content only; the span points at the text's end,
 * where the notice belongs.
 */
export const optOutNotice = defineRule({
  name,
  kernel: `^${KERNEL_VERSION}`,
  options: optionsSchema,
  create: (options): Omit<ComplianceRule, 'kind' | 'name'> => ({
    checkContent(content, ctx): Finding[] {
      const applies = ctx.channels.filter((c) =>
        options.channels ? options.channels.includes(c) : c.includes('sms'),
      );
      if (applies.length === 0 || content.type !== 'text') return [];
      if (options.phrases.some((p) => content.text.includes(p))) return [];
      const end = content.text.length;
      return applies.map((channel) => ({
        rule: name,
        level: options.level,
        code: 'OPT_OUT_NOTICE_MISSING',
        message: `a marketing text on ${channel} must end with how to opt out, e.g. "${options.phrases[0]}"`,
        span: { start: end, end },
        channel,
      }));
    },
  }),
});
