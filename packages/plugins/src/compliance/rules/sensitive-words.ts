import { type Content, type Finding, findingLevels, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';
import type { Lexicon } from '../engine/lexicon.js';
import {
  createSensitiveWordIndex,
  type SensitiveWordHit,
  type SensitiveWordIndex,
} from '../engine/sensitive-word-index.js';
import { builtinLexicons } from '../lexicons/builtin-lexicons.js';
import { literalSegments } from '../template/placeholders.js';
import type { TemplateContentContext } from '../template/template-context.js';
import type { ContentRule } from './content-rule.js';

const name = 'rule:sensitive-words';
const level = z.enum(findingLevels);

const optionsSchema = z.object({
  /** Lexicons to match. Default: every shipped lexicon (`builtinLexicons()`). */
  lexicons: z.array(z.custom<Lexicon>((v) => typeof v === 'object' && v !== null && 'terms' in v)).optional(),
  /**
   * A built index, or a function that returns the current one for a workspace (the API swaps
   * in a rebuilt index when a workspace's lexicons change). Takes precedence over `lexicons`.
   * Default: built from `lexicons`.
   */
  index: z
    .custom<SensitiveWordIndex | ((workspaceId: string | undefined) => SensitiveWordIndex)>(
      (v) => typeof v === 'function' || (typeof v === 'object' && v !== null && 'scan' in v),
    )
    .optional(),
  /**
   * Level of a lexicon's hits per channel, by lexicon name then channel name. Default:
   * contact-diversion is only `warn` on `channel:wecom` and `channel:wechat-personal`.
   */
  channelLevels: z
    .record(z.string(), z.record(z.string(), level))
    .default({ 'contact-diversion': { 'channel:wecom': 'warn', 'channel:wechat-personal': 'warn' } }),
  /** Also report a hit that lies inside a longer hit of the same or a higher level. Default false. */
  reportNested: z.boolean().default(false),
});

export type SensitiveWordsOptions = z.input<typeof optionsSchema>;

const rank = { block: 3, revise: 2, warn: 1 } as const;

/** Drops hits inside a longer (or equal) hit of the same or a higher level: "加微" inside "加微信". */
function outermost(hits: SensitiveWordHit[]): SensitiveWordHit[] {
  return hits.filter(
    (h, i) =>
      !hits.some(
        (o, j) =>
          j !== i &&
          o.start <= h.start &&
          o.end >= h.end &&
          rank[o.level] >= rank[h.level] &&
          (o.end - o.start > h.end - h.start || rank[o.level] > rank[h.level] || j < i),
      ),
  );
}

function scanTemplateText(index: SensitiveWordIndex, text: string): SensitiveWordHit[] {
  const hits: SensitiveWordHit[] = [];
  for (const segment of literalSegments(text)) {
    for (const hit of index.scan(segment.text)) {
      hits.push({ ...hit, start: hit.start + segment.start, end: hit.end + segment.start });
    }
  }
  return hits;
}

/** Matches content against sensitive-word lexicons; one finding per hit, with its exact span. */
export function sensitiveWords(options?: SensitiveWordsOptions): ContentRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  const fixed = opts.index ?? createSensitiveWordIndex(opts.lexicons ?? builtinLexicons());
  const currentIndex = (workspaceId: string | undefined): SensitiveWordIndex =>
    typeof fixed === 'function' ? fixed(workspaceId) : fixed;

  function findings(
    hits: SensitiveWordHit[],
    index: SensitiveWordIndex,
    ctx: TemplateContentContext,
    where = '',
  ) {
    const descriptions = new Map(index.lexicons.map((l) => [l.name, l.description]));
    const kept = opts.reportNested ? hits : outermost(hits);
    return kept.flatMap((hit): Finding[] => {
      const description = descriptions.get(hit.lexicon);
      const message = `${where}"${hit.term}" (${hit.lexicon})${description ? `: ${description}` : ''}`;
      const base = {
        rule: name,
        code: hit.code,
        message,
        params: { term: hit.term, lexicon: hit.lexicon, ...(where ? { part: 'subject' } : {}) },
        ...(where ? {} : { span: { start: hit.start, end: hit.end } }),
      };
      const perChannel = opts.channelLevels[hit.lexicon];
      if (!perChannel || ctx.channels.length === 0) return [{ ...base, level: hit.level }];
      return ctx.channels.map((channel) => ({ ...base, level: perChannel[channel] ?? hit.level, channel }));
    });
  }

  return {
    kind: 'rule',
    name,
    checkContent(content: Content, ctx: TemplateContentContext): Finding[] {
      const index = currentIndex(ctx.workspaceId);
      const result = findings(scanTemplateText(index, content.text), index, ctx);
      if (content.subject)
        result.push(...findings(scanTemplateText(index, content.subject), index, ctx, 'Subject: '));
      return result;
    },
  };
}
