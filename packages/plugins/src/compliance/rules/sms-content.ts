import {
  type Content,
  type Finding,
  fillSmsTemplate,
  findingLevels,
  findSmsTemplate,
  parsePluginOptions,
  parseSmsTemplateParams,
  type SmsProfile,
  smsTemplateVariables,
} from '@qunfa/core';
import { z } from 'zod';
import { findPlaceholders } from '../template/placeholders.js';
import type { TemplateContentContext } from '../template/template-context.js';
import type { ContentRule } from './content-rule.js';
import { smsSegments } from './sms-segments.js';

const name = 'rule:sms-content';
const level = z.enum(findingLevels);

const optionsSchema = z.object({
  /** Characters `{{unsubscribe}}` renders as (`<PUBLIC_URL>/u/<token>`, a ~16-character token). Default 44. */
  unsubscribeLinkLength: z.number().int().min(1).default(44),
  /** Longest SMS with the sign name, in characters (Aliyun and Tencent Cloud take at most 500). Default 500. */
  maxLength: z.number().int().min(70).default(500),
  /** Level when a message is billed as more than one segment. Default `warn`. */
  segmentsLevel: level.default('warn'),
  /** Level when a marketing template has no opt-out ("回复TD退订" or `{{unsubscribe}}`). Default `warn`. */
  optOutLevel: level.default('warn'),
  /** Level when the template is not in the channel's registry (nothing can be checked). Default `warn`. */
  unknownTemplateLevel: level.default('warn'),
});

export type SmsContentOptions = z.input<typeof optionsSchema>;

const optOut = /退订|拒收|(?<![A-Za-z])TD(?![A-Za-z])|\{\{\s*unsubscribe\s*\}\}/i;
const bracket = /[【】]/;

/** Characters of a parameter value once rendered: a placeholder counts as its longest value. */
function renderedLength(value: string, ctx: TemplateContentContext, linkLength: number): number {
  let length = [...value].length;
  for (const p of findPlaceholders(value)) {
    const written = p.end - p.start;
    const longest = p.variable === 'unsubscribe' ? linkLength : ctx.longestValues?.[p.variable];
    if (longest !== undefined) length += longest - written;
  }
  return length;
}

/** The first non-blank line that is not `name: value`, as parseSmsTemplateParams names it. */
function malformedLine(text: string): string {
  const line = text.split('\n').find((raw) => raw.trim() !== '' && raw.trim().indexOf(':') <= 0) ?? '';
  return line.trim().slice(0, 40);
}

/**
 * SMS content in mainland China, per SMS channel (`limits.sms`): a pre-approved template, never
 * free text; the variant's `name: value` lines must map exactly the template's variables; the
 * length as carriers bill it (sign name `【…】` included, `{{unsubscribe}}` at its rendered
 * length, 70 a segment or 67 when longer); no `【】` inside the text (carriers read it as a second
 * signature); and an opt-out in marketing templates.
 */
export function smsContent(options?: SmsContentOptions): ContentRule {
  const opts = parsePluginOptions(name, optionsSchema, options);

  function check(content: Content, channel: string, sms: SmsProfile, ctx: TemplateContentContext): Finding[] {
    const at = { rule: name, channel };
    if (content.type !== 'template') {
      return [
        {
          ...at,
          level: 'block',
          code: 'SMS_TEMPLATE_REQUIRED',
          params: { type: content.type },
          message: `${channel} sends only pre-approved SMS templates (短信模板): ${content.type} content is refused in mainland China. Use template content: the template's name or code as subject, its variables as "name: value" lines`,
        },
      ];
    }
    const subject = content.subject?.trim() ?? '';
    if (subject === '') {
      return [
        {
          ...at,
          level: 'block',
          code: 'SMS_TEMPLATE_MISSING',
          message: `${channel}: name the SMS template (subject)`,
        },
      ];
    }
    const params = parseSmsTemplateParams(content.text);
    if (typeof params === 'string')
      return [
        {
          ...at,
          level: 'block',
          code: 'SMS_TEMPLATE_PARAMS_MALFORMED',
          params: { line: malformedLine(content.text) },
          message: `${channel}: ${params}`,
        },
      ];
    const findings: Finding[] = [];
    for (const [key, value] of params) {
      if (bracket.test(value))
        findings.push({
          ...at,
          level: 'revise',
          code: 'SMS_BRACKETS',
          params: { variable: key },
          message: `${channel}: the value of "${key}" has 【】, which carriers read as a second sign name`,
        });
    }
    const template = findSmsTemplate(sms, subject);
    if (template?.text === undefined) {
      findings.push({
        ...at,
        level: opts.unknownTemplateLevel,
        code: 'SMS_TEMPLATE_UNKNOWN',
        params: { template: subject },
        message: `${channel} has no text for template ${subject} in its registry: its parameters and length cannot be checked before the start`,
      });
      return findings;
    }
    findings.push(...mapping(channel, template.id, template.text, params));
    if (bracket.test(template.text))
      findings.push({
        ...at,
        level: 'revise',
        code: 'SMS_BRACKETS',
        params: { template: template.id },
        message: `${channel}: template ${template.id} has 【】 in its text, which carriers read as a second sign name`,
      });
    const filled = fillSmsTemplate(template.text, params);
    const valueLengths = params.reduce(
      (sum, [, v]) => sum + renderedLength(v, ctx, opts.unsubscribeLinkLength) - [...v].length,
      0,
    );
    const length = [...`【${sms.signName}】${filled}`].length + valueLengths;
    const segments = smsSegments(length);
    if (length > opts.maxLength) {
      findings.push({
        ...at,
        level: 'block',
        code: 'SMS_TOO_LONG',
        params: { length, max: opts.maxLength },
        message: `${channel}: ${length} characters with the sign name; an SMS takes at most ${opts.maxLength}`,
      });
    } else if (segments > 1) {
      findings.push({
        ...at,
        level: opts.segmentsLevel,
        code: 'SMS_SEGMENTS',
        params: { length, segments },
        message: `${channel}: up to ${length} characters with the sign name and links rendered, billed as ${segments} SMS (70 for one, 67 each when longer)`,
      });
    }
    if (template.kind !== 'notification' && template.kind !== 'verification' && !optOut.test(filled)) {
      findings.push({
        ...at,
        level: opts.optOutLevel,
        code: 'SMS_NO_OPT_OUT',
        message: `${channel}: a marketing SMS should say how to opt out ("回复TD退订") or carry {{unsubscribe}}`,
      });
    }
    return findings;
  }

  function mapping(channel: string, id: string, text: string, params: [string, string][]): Finding[] {
    const at = { rule: name, channel, level: 'block' as const };
    const wanted = smsTemplateVariables(text);
    if (wanted.kind === 'positional') {
      if (params.length < wanted.count)
        return [
          {
            ...at,
            code: 'SMS_TEMPLATE_PARAM_MISSING',
            params: { template: id, expected: wanted.count, given: params.length },
            message: `${channel}: template ${id} takes ${wanted.count} parameters ({1}…{${wanted.count}}); ${params.length} given`,
          },
        ];
      if (params.length > wanted.count)
        return [
          {
            ...at,
            code: 'SMS_TEMPLATE_PARAM_UNKNOWN',
            params: {
              template: id,
              expected: wanted.count,
              given: params.length,
              unknown: params.slice(wanted.count).map(([k]) => k),
            },
            message: `${channel}: template ${id} takes ${wanted.count} parameters; ${params.length} given (${params
              .slice(wanted.count)
              .map(([k]) => `"${k}"`)
              .join(', ')} too many)`,
          },
        ];
      return [];
    }
    const given = new Set(params.map(([k]) => k));
    const findings: Finding[] = [];
    const missing = wanted.names.filter((n) => !given.has(n));
    const unknown = [...given].filter((k) => !wanted.names.includes(k));
    if (missing.length > 0)
      findings.push({
        ...at,
        code: 'SMS_TEMPLATE_PARAM_MISSING',
        params: { template: id, missing },
        message: `${channel}: template ${id} needs ${missing.map((n) => `\${${n}}`).join(', ')}; map each as "name: value"`,
      });
    if (unknown.length > 0)
      findings.push({
        ...at,
        code: 'SMS_TEMPLATE_PARAM_UNKNOWN',
        params: { template: id, unknown, known: wanted.names },
        message: `${channel}: template ${id} has no variable ${unknown.map((k) => `"${k}"`).join(', ')} (it has ${wanted.names.map((n) => `\${${n}}`).join(', ') || 'none'})`,
      });
    return findings;
  }

  return {
    kind: 'rule',
    name,
    checkContent(content: Content, ctx: TemplateContentContext): Finding[] {
      if (ctx.variable !== undefined) return [];
      return ctx.channels.flatMap((channel) => {
        const sms = ctx.channelLimits?.[channel]?.sms;
        return sms ? check(content, channel, sms, ctx) : [];
      });
    },
  };
}
