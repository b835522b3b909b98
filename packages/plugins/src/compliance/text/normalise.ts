import { fold, MARK, SEPARATOR } from './char-table.js';
import { toSimplified } from './t2s-table.js';

/** Text as the matcher sees it: one folded code point per letter, and where it came from. */
export interface NormalisedText {
  codePoints: number[];
  /** UTF-16 offset in the original where each code point's character starts. */
  starts: number[];
  /** UTF-16 offset just past it, its combining marks and variation selectors included. */
  ends: number[];
}

export interface NormaliseOptions {
  /** Map traditional characters to simplified ones. Default true. */
  traditionalToSimplified?: boolean;
}

/**
 * The reference normaliser: folds each character, drops separators and attaches marks to
 * the character before them. The index's scanner does the same in one fused loop; this
 * one normalises lexicon terms and serves tests as the readable specification.
 */
export function normaliseText(text: string, options: NormaliseOptions = {}): NormalisedText {
  const t2s = options.traditionalToSimplified ?? true;
  const result: NormalisedText = { codePoints: [], starts: [], ends: [] };
  let attach = false;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const folded = fold(cp);
    if (folded === MARK) {
      if (attach) result.ends[result.ends.length - 1] = i + width;
    } else if (folded === SEPARATOR || (cp >= 0xd800 && cp <= 0xdfff)) {
      attach = false;
    } else {
      result.codePoints.push(t2s ? toSimplified(folded) : folded);
      result.starts.push(i);
      result.ends.push(i + width);
      attach = true;
    }
    i += width;
  }
  return result;
}

/** Positions (≥ 1) of a normalised term that the original term separated from the letter before. */
export function termBreaks(normalised: NormalisedText): number[] {
  const breaks: number[] = [];
  for (let j = 1; j < normalised.starts.length; j++) {
    if (normalised.starts[j] !== normalised.ends[j - 1]) breaks.push(j);
  }
  return breaks;
}
