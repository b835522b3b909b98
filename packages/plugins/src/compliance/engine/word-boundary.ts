import { GAP_HARD_BREAK } from '../text/char-table.js';
import { characterEnd, infoAt, OFFSET_MASK, type RawMatches, type ScanTables } from './scan.js';

/** Letters of context each side of a hit that the segmenter sees. */
const CONTEXT = 12;

let segmenter: Intl.Segmenter | undefined;

/**
 * Whether a hit (letters `startK`–`endK` of the normalised text) starts and ends on a
 * boundary of the Chinese word segmentation. The segmenter reads the hit's letters with
 * `CONTEXT` letters each side, without the separators that normalisation skips (so
 * `医\n保本年度` reads as `医保本年度`, as a reader would), but with a clause mark (`。`,
 * `，`, a line break between two clauses is not one) kept, so that the word before a full
 * stop never swallows the hit.
 */
export function onWordBoundaries(
  text: string,
  raw: RawMatches,
  tables: ScanTables,
  startK: number,
  endK: number,
): boolean {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const { pos, total } = raw;
  const from = Math.max(0, startK - CONTEXT);
  const to = Math.min(total - 1, endK + CONTEXT);
  let window = '';
  let hitStart = -1;
  let hitEnd = -1;
  for (let k = from; k <= to; k++) {
    const at = pos[k]! & OFFSET_MASK;
    if (k > from && hasClauseBreak(text, characterEnd(text, pos[k - 1]! & OFFSET_MASK, tables), at, tables)) {
      window += '。';
    }
    if (k === startK) hitStart = window.length;
    window += text.slice(at, characterEnd(text, at, tables));
    if (k === endK) hitEnd = window.length;
  }
  let startsWord = false;
  let endsWord = hitEnd === window.length;
  for (const { index } of segmenter.segment(window)) {
    if (index === hitStart) startsWord = true;
    if (index === hitEnd) endsWord = true;
    if (index > hitEnd) break;
  }
  return startsWord && endsWord;
}

function hasClauseBreak(text: string, from: number, to: number, tables: ScanTables): boolean {
  for (let i = from; i < to; i++) if (infoAt(text, i, tables) & GAP_HARD_BREAK) return true;
  return false;
}
