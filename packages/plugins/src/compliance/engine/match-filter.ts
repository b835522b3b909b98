import { GAP_HARD_BREAK, GAP_WORD_BREAK, LETTER_WORD } from '../text/char-table.js';
import {
  CONTINUES_WORD,
  characterEnd,
  infoAt,
  joinedToPrevious,
  OFFSET_MASK,
  type RawMatches,
  type ScanTables,
} from './scan.js';

/**
 * Decides whether a raw automaton match (found in the text with separators removed) is a
 * real occurrence, by looking at the original text around and inside it:
 *
 * - Word boundaries for terms that start or end with a Latin (Greek, Cyrillic) letter: no
 *   word letter may touch the match from outside ("class" does not contain "ass";
 *   "加vx123" still contains "加vx"). The scanner already drops most starts inside a word.
 * - Gaps inside the match (separators that normalisation skipped). A gap that the term
 *   itself has ("ball gag") is fine. Between two Latin letters a space or apostrophe is a
 *   word break, and so, anywhere, is a clause mark (。，！？；…). Such a gap is accepted
 *   only when the match is letter-spaced, every piece one letter long ("f u c k", "V X",
 *   "加。微。信"), so that "an US" never reads as one word and
 *   "参加。微信" never as "加微信" (nor "加微": two letters that each end a longer word).
 * - Gaps longer than `maxGap` code points are never bridged.
 */
export interface MatchEntry {
  length: number;
  startsWord: boolean;
  endsWord: boolean;
  /** Term positions that had a separator in the term itself. */
  breaks: number[] | undefined;
  /** Folded code points without traditional → simplified, when the lexicon does not want it. */
  exact: Int32Array | undefined;
}

export interface MatchContext {
  text: string;
  raw: RawMatches;
  tables: ScanTables;
  fold(cp: number): number;
  maxGap: number;
}

function gapOf(ctx: MatchContext, from: number, to: number): { flags: number; length: number } {
  let flags = 0;
  let length = 0;
  for (let i = from; i < to; i++) {
    const c = ctx.text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    flags |= infoAt(ctx.text, i, ctx.tables);
    length++;
  }
  return { flags, length };
}

function isWord(ctx: MatchContext, k: number): boolean {
  return (infoAt(ctx.text, ctx.raw.pos[k]! & OFFSET_MASK, ctx.tables) & LETTER_WORD) !== 0;
}

export function acceptMatch(ctx: MatchContext, endK: number, entry: MatchEntry): boolean {
  const { text, raw, tables } = ctx;
  const { pos, total } = raw;
  const startK = endK - entry.length + 1;
  if (entry.startsWord && (pos[startK]! & CONTINUES_WORD) !== 0) return false;
  if (entry.endsWord && endK + 1 < total && (pos[endK + 1]! & CONTINUES_WORD) !== 0) return false;
  if (entry.exact) {
    for (let j = startK; j <= endK; j++) {
      if (ctx.fold(text.codePointAt(pos[j]! & OFFSET_MASK)!) !== entry.exact[j - startK]) return false;
    }
  }
  // Contiguous in the original (one code unit a letter, nothing between): no gaps to judge.
  if ((pos[endK]! & OFFSET_MASK) - (pos[startK]! & OFFSET_MASK) === endK - startK) return true;
  let needsSpacing = false;
  let longestPiece = 1;
  let piece = 1;
  let pieces = 1;
  for (let j = startK + 1; j <= endK; j++) {
    const from = characterEnd(text, pos[j - 1]! & OFFSET_MASK, tables);
    const to = pos[j]! & OFFSET_MASK;
    if (from === to) {
      piece++;
      if (piece > longestPiece) longestPiece = piece;
      continue;
    }
    piece = 1;
    pieces++;
    const gap = gapOf(ctx, from, to);
    if (gap.length > ctx.maxGap) return false;
    if (entry.breaks?.includes(j - startK)) continue;
    if (gap.flags & GAP_HARD_BREAK) needsSpacing = true;
    else if (gap.flags & GAP_WORD_BREAK && isWord(ctx, j) && isWord(ctx, j - 1)) needsSpacing = true;
  }
  if (!needsSpacing) return true;
  if (longestPiece > 1) return false;
  // Two single letters, each the edge of a longer word ("参加。微信"), are two words, not a spaced term.
  const joinedLeft = startK > 0 && joinedToPrevious(text, pos, startK, tables);
  const joinedRight = endK + 1 < total && joinedToPrevious(text, pos, endK + 1, tables);
  return pieces > 2 || !(joinedLeft && joinedRight);
}
