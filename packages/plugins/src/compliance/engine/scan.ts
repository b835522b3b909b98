import { MARK } from '../text/char-table.js';
import type { DoubleArrayAutomaton } from './double-array.js';

export interface ScanTables extends DoubleArrayAutomaton {
  /**
   * The automaton interleaved for the scanner, four cells a state (base, check, fail,
   * report), so that a transition touches two cache lines instead of four.
   */
  cells: Int32Array;
  /** First entry ending at each state, and the next entry ending at the same state. */
  entryHead: Int32Array;
  entryNext: Int32Array;
  /** Letters in each entry's normalised term. */
  entryLength: Int32Array;
  /** Entries whose term starts with a word letter (Latin, Greek, Cyrillic). */
  entryStartsWord: Uint8Array;
  /**
   * Each BMP code unit as the scanner reads it: -1 separator, -2 mark, -3 surrogate, else a
   * letter as `symbol << 1 | word`, where symbol 0 is a letter in no term and `word` is LETTER_WORD.
   */
  bmpSymbols: Int32Array;
  /** Character flags of each BMP code unit, see char-table. */
  bmpInfo: Uint8Array;
  /** Folds an astral code point (char-table's `fold`). */
  foldAstral(cp: number): number;
  /** An astral code point as the scanner reads it, like `bmpSymbols`. */
  astralSymbol(cp: number): number;
  astralInfo(cp: number): number;
}

/** Raw matches: entry and normalised end index, plus where each letter came from. */
export interface RawMatches {
  entries: Int32Array;
  ends: Int32Array;
  count: number;
  /** UTF-16 offset of each letter of the normalised text (OFFSET_MASK), and CONTINUES_WORD. */
  pos: Int32Array;
  /** Letters in the normalised text. */
  total: number;
}

let pos = new Int32Array(4096);
let hitEntries = new Int32Array(1024);
let hitEnds = new Int32Array(1024);

function growHits(): void {
  const entries = new Int32Array(hitEntries.length * 2);
  entries.set(hitEntries);
  const ends = new Int32Array(hitEnds.length * 2);
  ends.set(hitEnds);
  hitEntries = entries;
  hitEnds = ends;
}

/** Character flags of the code point at UTF-16 offset `i`. */
export function infoAt(text: string, i: number, tables: ScanTables): number {
  const c = text.charCodeAt(i);
  return c < 0xd800 || c > 0xdfff ? tables.bmpInfo[c]! : tables.astralInfo(text.codePointAt(i)!);
}

export function isMark(text: string, i: number, tables: ScanTables): boolean {
  const c = text.charCodeAt(i);
  return c < 0xd800 || c > 0xdfff
    ? tables.bmpSymbols[c] === -2
    : tables.foldAstral(text.codePointAt(i)!) === MARK;
}

/** UTF-16 offset just past the character at `i` and the marks that follow it. */
export function characterEnd(text: string, i: number, tables: ScanTables): number {
  const n = text.length;
  let e = i + (text.codePointAt(i)! > 0xffff ? 2 : 1);
  while (e < n && isMark(text, e, tables)) e += text.codePointAt(e)! > 0xffff ? 2 : 1;
  return e;
}

/** Whether letter `k` follows letter `k - 1` with nothing but marks between them. */
export function joinedToPrevious(text: string, p: Int32Array, k: number, tables: ScanTables): boolean {
  return characterEnd(text, p[k - 1]! & OFFSET_MASK, tables) === (p[k]! & OFFSET_MASK);
}

/** `pos` holds a letter's UTF-16 offset in bits 0–29 and CONTINUES_WORD in bit 30. */
export const OFFSET_MASK = 0x3fffffff;
/** The letter is a word letter that continues the word of the letter before it ("a" in "class"). */
export const CONTINUES_WORD = 1 << 30;

/**
 * Normalises and matches in one pass: each code unit is folded by table lookup, separators
 * and marks are skipped, and the automaton steps over what remains. A match of a
 * word-initial term whose first letter continues a word ("ass" in "class") is dropped
 * here already, as most rejected matches are of that kind. The returned arrays are shared
 * scratch buffers, valid until the next scan (scanning never yields, so this is safe).
 */
export function scanAutomaton(text: string, tables: ScanTables): RawMatches {
  const n = text.length;
  if (n > OFFSET_MASK) throw new RangeError('text too long to scan');
  if (pos.length < n + 1) pos = new Int32Array(Math.max(n + 1, pos.length * 2));
  const p = pos;
  const { cells, entryHead, entryNext, entryLength, entryStartsWord, bmpSymbols } = tables;
  let count = 0;
  let s = 0;
  let k = 0;
  // The word flag of the last letter, cleared by a separator after it.
  let wordBefore = 0;
  for (let i = 0; i < n; i++) {
    const at = i;
    let v = bmpSymbols[text.charCodeAt(i)]!;
    if (v < 0) {
      if (v === -3) {
        v = astral(text, i, tables);
        if (v === LONE_SURROGATE) v = -1;
        else i++;
      }
      if (v < 0) {
        if (v === -1) wordBefore = 0;
        continue;
      }
    }
    const word = v & 1;
    p[k++] = at | ((word & wordBefore) << 30);
    wordBefore = word;
    const sym = v >> 1;
    if (sym === 0) {
      s = 0;
      continue;
    }
    for (;;) {
      const t = cells[s << 2]! + sym;
      if (cells[(t << 2) + 1] === s) {
        s = t;
        break;
      }
      if (s === 0) break;
      s = cells[(s << 2) + 2]!;
    }
    for (let r = cells[(s << 2) + 3]!; r !== 0; r = cells[(cells[(r << 2) + 2]! << 2) + 3]!) {
      for (let e = entryHead[r]!; e >= 0; e = entryNext[e]!) {
        // A word-initial term starting inside the current word ("ass" in "class") is no match.
        if (entryStartsWord[e] === 1 && (p[k - entryLength[e]!]! & CONTINUES_WORD) !== 0) continue;
        if (count === hitEntries.length) growHits();
        hitEntries[count] = e;
        hitEnds[count] = k - 1;
        count++;
      }
    }
  }
  return { entries: hitEntries, ends: hitEnds, count, pos: p, total: k };
}

const LONE_SURROGATE = -4;

/** The scanner's value for the surrogate pair at `i`, or LONE_SURROGATE. */
function astral(text: string, i: number, tables: ScanTables): number {
  const c = text.charCodeAt(i);
  const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
  if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return LONE_SURROGATE;
  return tables.astralSymbol(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
}

/** Interleaves an automaton's four arrays into the scanner's `cells`. */
export function interleave(automaton: DoubleArrayAutomaton): Int32Array {
  const size = automaton.base.length;
  const cells = new Int32Array(size * 4);
  for (let s = 0; s < size; s++) {
    cells[s * 4] = automaton.base[s]!;
    cells[s * 4 + 1] = automaton.check[s]!;
    cells[s * 4 + 2] = automaton.fail[s]!;
    cells[s * 4 + 3] = automaton.report[s]!;
  }
  return cells;
}
