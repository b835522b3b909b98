import { QunfaError, type ReplyClass, replyClasses } from '@qunfa/core';
import { z } from 'zod';
import en from '../../lexicons/replies/en.json' with { type: 'json' };
import zh from '../../lexicons/replies/zh.json' with { type: 'json' };
import { normaliseReply } from './normalise-reply.js';

const classSchema = z.strictObject({
  /** The class a negated cue counts for ("不感兴趣" → not_interested); null: a negated cue counts for none. */
  negatedAs: z.enum(replyClasses).nullable(),
  /** Cue → weight (> 0). */
  cues: z.record(z.string().min(1), z.number().positive().max(10)),
});

/** A reply lexicon file (packages/plugins/lexicons/replies/*.json); see its README. */
export const replyLexiconSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  language: z.string().min(2),
  /** `substring` (Chinese: no spaces between words) or `words` (whole words, as in English). */
  match: z.enum(['substring', 'words']),
  description: z.string(),
  sources: z.array(z.string()),
  /** Words that negate a cue they stand shortly before, in the same clause. */
  negators: z.array(z.string().min(1)),
  /** Words that contain a negator but do not negate (不要 is an imperative, 不错 praise). */
  notNegators: z.array(z.string().min(1)),
  /** How far before a cue a negator counts: characters (`substring`) or words (`words`). */
  negationWindow: z.number().int().min(1).max(10),
  /** Characters that end a clause: negation does not reach across them. */
  clauseBreaks: z.string(),
  /** Whole replies that unsubscribe (after normalising, punctuation and spaces dropped). */
  unsubscribeReplies: z.array(z.string().min(1)),
  /** A sticker code pattern (WeChat's `[微笑]`): dropped before looking for letters. */
  stickers: z.string().optional(),
  /** Strings that only appear in garbled text (锟斤拷). */
  mojibake: z.array(z.string().min(1)).optional(),
  classes: z.partialRecord(z.enum(replyClasses), classSchema),
});
export type ReplyLexiconFile = z.input<typeof replyLexiconSchema>;

export interface Cue {
  /** As the lexicon writes it: what reasons show. */
  cue: string;
  /** Normalised, as matched. */
  text: string;
  label: ReplyClass;
  weight: number;
  negatedAs: ReplyClass | null;
  /** For `words` lexicons: its words. */
  words: string[];
}

/** A lexicon checked and ready to match: its cues normalised as the text will be. */
export interface ReplyLexicon {
  name: string;
  match: 'substring' | 'words';
  cues: Cue[];
  /** Cues by their first character (`substring`) or first word (`words`). */
  byHead: ReadonlyMap<string, Cue[]>;
  negators: string[];
  notNegators: string[];
  negationWindow: number;
  clauseBreaks: ReadonlySet<string>;
  unsubscribeReplies: ReadonlySet<string>;
  stickers: RegExp | undefined;
  mojibake: string[];
}

/** What counts as a word of a `words` lexicon. */
export const WORD = /[\p{L}\p{N}'+]+/gu;

/** Checks a lexicon file (INVALID_INPUT naming the field) and compiles it. */
export function compileReplyLexicon(file: unknown): ReplyLexicon {
  const parsed = replyLexiconSchema.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new QunfaError('INVALID_INPUT', `reply lexicon: ${issue?.message ?? 'invalid'}`, {
      plugin: 'classifier:rules',
      details: { field: issue?.path.join('.') ?? '' },
    });
  }
  const l = parsed.data;
  const cues: Cue[] = [];
  for (const [label, entry] of Object.entries(l.classes)) {
    if (!entry) continue;
    for (const [raw, weight] of Object.entries(entry.cues)) {
      const text = normaliseReply(raw);
      cues.push({
        cue: raw,
        text,
        label: label as ReplyClass,
        weight,
        negatedAs: entry.negatedAs,
        words: l.match === 'words' ? [...text.matchAll(WORD)].map((w) => w[0]) : [],
      });
    }
  }
  const byHead = new Map<string, Cue[]>();
  for (const cue of cues) {
    const head = l.match === 'words' ? (cue.words[0] ?? '') : cue.text[0]!;
    byHead.set(head, [...(byHead.get(head) ?? []), cue]);
  }
  return {
    name: l.name,
    match: l.match,
    cues,
    byHead,
    negators: l.negators.map(normaliseReply),
    notNegators: l.notNegators.map(normaliseReply),
    negationWindow: l.negationWindow,
    clauseBreaks: new Set(normaliseReply(l.clauseBreaks)),
    unsubscribeReplies: new Set(l.unsubscribeReplies.map((r) => normaliseReply(r))),
    stickers: l.stickers ? new RegExp(l.stickers, 'gu') : undefined,
    mojibake: l.mojibake ?? [],
  };
}

/** The shipped lexicons: Chinese and English. */
export function builtinReplyLexicons(): ReplyLexiconFile[] {
  return [zh as ReplyLexiconFile, en as ReplyLexiconFile];
}
