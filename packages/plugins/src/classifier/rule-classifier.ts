import {
  type Classification,
  type ClassifierInput,
  type ClassifierPlugin,
  parsePluginOptions,
  type ReplyClass,
} from '@qunfa/core';
import { z } from 'zod';
import { matchCues } from './match-cues.js';
import { isNoise } from './noise.js';
import { normaliseReply } from './normalise-reply.js';
import { builtinReplyLexicons, compileReplyLexicon, type ReplyLexiconFile } from './reply-lexicon.js';

export interface RuleClassifierOptions {
  /** Lexicon files (see lexicons/replies/README.md). Default: the shipped Chinese and English ones. */
  lexicons?: ReplyLexiconFile[];
  /** Weight a question mark adds to `consultation`. Default 1.5. */
  questionMarkWeight?: number;
}

const schema = z.strictObject({
  lexicons: z.array(z.unknown()).min(1).optional(),
  questionMarkWeight: z.number().min(0).max(10).default(1.5),
});

/** When two classes score the same, the one a person must see first wins. */
const precedence: ReplyClass[] = [
  'complaint',
  'unsubscribe',
  'consultation',
  'not_interested',
  'interested',
  'other',
  'noise',
];

const round = (n: number) => Math.round(n * 100) / 100;

/** Replies are read up to this many characters: a reply is a message, not a document. */
export const MAX_REPLY_CHARS = 2000;

/**
 * `classifier:rules`: sorts a reply by weighted cues from lexicon files (Chinese and English
 * shipped). In order: a whole-reply unsubscribe keyword (TD, 退订, STOP); noise (emoji,
 * symbols, mojibake, keyboard mash); then cues, longest first, a cue after a negator in its
 * clause ("不是投诉", "not interested") counting for its lexicon's `negatedAs` class or for
 * none; the class with the highest total wins, ties going to the more urgent class. No cue:
 * `other`. Only the first `MAX_REPLY_CHARS` are read. Confidence grows with the winner's score and its lead over the runner-up.
 */
export function ruleClassifier(options?: RuleClassifierOptions): ClassifierPlugin {
  const parsed = parsePluginOptions('classifier:rules', schema, options);
  const lexicons = (parsed.lexicons ?? builtinReplyLexicons()).map(compileReplyLexicon);
  const classify = ({ text }: ClassifierInput): Classification => {
    const normalised = normaliseReply(text.slice(0, MAX_REPLY_CHARS)).trim();
    const bare = normalised.replace(/[\s\p{P}\p{S}]/gu, '');
    const keyword = lexicons.find((l) => l.unsubscribeReplies.has(bare));
    if (keyword) return { label: 'unsubscribe', confidence: 0.99, reasons: [`reply:${bare}`] };
    const scores = new Map<ReplyClass, number>();
    const reasons: string[] = [];
    const add = (label: ReplyClass, weight: number) => scores.set(label, (scores.get(label) ?? 0) + weight);
    const matches = matchCues(normalised, lexicons);
    if (isNoise(normalised, lexicons, matches.length > 0)) {
      return { label: 'noise', confidence: 0.9, reasons: ['noise'] };
    }
    for (const m of matches) {
      if (!m.negated) {
        add(m.cue.label, m.cue.weight);
        reasons.push(`${m.cue.label}:${m.cue.cue}`);
      } else {
        if (m.cue.negatedAs) add(m.cue.negatedAs, m.cue.weight);
        reasons.push(`negated:${m.cue.cue}`);
      }
    }
    if (parsed.questionMarkWeight > 0 && normalised.includes('?')) {
      add('consultation', parsed.questionMarkWeight);
      reasons.push('consultation:?');
    }
    const ranked = [...scores.entries()]
      .filter(([, s]) => s > 0)
      .sort((a, b) => b[1] - a[1] || precedence.indexOf(a[0]) - precedence.indexOf(b[0]));
    const [top, second] = ranked;
    if (!top) return { label: 'other', confidence: 0.3, reasons: reasons.length > 0 ? reasons : ['no-cue'] };
    const lead = (top[1] - (second?.[1] ?? 0)) / top[1];
    const strength = Math.min(1, top[1] / 3);
    return { label: top[0], confidence: round(0.3 + 0.65 * lead * strength), reasons };
  };
  return { kind: 'classifier', name: 'classifier:rules', classify };
}
