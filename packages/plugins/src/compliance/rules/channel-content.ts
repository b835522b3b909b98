import { type Content, type Finding, findingLevels, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';
import { findPlaceholders } from '../template/placeholders.js';
import type { TemplateContentContext } from '../template/template-context.js';
import type { ContentRule } from './content-rule.js';

const name = 'rule:channel-content';
const level = z.enum(findingLevels);

const optionsSchema = z.object({
  /** Level when a channel cannot send the content's type. Default `block`. */
  typeLevel: level.default('block'),
  /** Level when the text is longer than a channel allows. Default `block`. */
  lengthLevel: level.default('block'),
  /** How a channel's `maxTextLength` counts: `code-points` (what a person calls characters) or `utf16`. Default `code-points`. */
  countBy: z.enum(['code-points', 'utf16']).default('code-points'),
});

export type ChannelContentOptions = z.input<typeof optionsSchema>;

/** Offset in `text` after `count` units; undefined when the text is not that long. */
function offsetAfter(text: string, count: number, countBy: 'code-points' | 'utf16'): number | undefined {
  if (countBy === 'utf16') return count < text.length ? count : undefined;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    if (seen === count) return i;
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) seen++;
    if (c >= 0xd800 && c <= 0xdbff) i++;
  }
  return undefined;
}

function lengthOf(text: string, countBy: 'code-points' | 'utf16'): number {
  return countBy === 'utf16' ? text.length : [...text].length;
}

/**
 * Checks content against each target channel's limits from `ctx.channelLimits`: its content
 * types and its longest text. A template counts each `{{variable}}` at the length of its
 * longest distinct value when `checkTemplate` supplies them, else as written.
 */
export function channelContent(options?: ChannelContentOptions): ContentRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  return {
    kind: 'rule',
    name,
    checkContent(content: Content, ctx: TemplateContentContext): Finding[] {
      if (ctx.variable !== undefined) return [];
      const findings: Finding[] = [];
      let length = lengthOf(content.text, opts.countBy);
      for (const p of findPlaceholders(content.text)) {
        const longest = ctx.longestValues?.[p.variable];
        if (longest !== undefined)
          length += longest - lengthOf(content.text.slice(p.start, p.end), opts.countBy);
      }
      for (const channel of ctx.channels) {
        const limits = ctx.channelLimits?.[channel];
        if (!limits) continue;
        // An SMS channel's content type is judged by rule:sms-content, which says why.
        if (!limits.contentTypes.includes(content.type) && !limits.sms) {
          findings.push({
            rule: name,
            level: opts.typeLevel,
            code: 'CONTENT_TYPE_UNSUPPORTED',
            channel,
            params: { type: content.type, supportedTypes: limits.contentTypes },
            message: `${channel} cannot send ${content.type} content (it sends ${limits.contentTypes.join(', ')})`,
          });
        }
        const max = limits.maxTextLength;
        if (max !== undefined && length > max) {
          const start = offsetAfter(content.text, max, opts.countBy);
          findings.push({
            rule: name,
            level: opts.lengthLevel,
            code: 'TEXT_TOO_LONG',
            channel,
            params: { max, length },
            message: `${channel} allows ${max} characters; this text has ${length}`,
            ...(start === undefined ? {} : { span: { start, end: content.text.length } }),
          });
        }
      }
      return findings;
    },
  };
}
