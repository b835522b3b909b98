/**
 * The per-character folding that normalisation applies, computed once per process for
 * the whole BMP (and on demand, cached, for astral code points).
 *
 * `fold(cp)` is the code point a character matches as — full-width → half-width, case
 * folded, Latin/Greek/Cyrillic diacritics stripped, compatibility forms (NFKC) resolved,
 * a few Cyrillic look-alikes mapped to Latin — or one of two negative classes:
 * `SEPARATOR` (skipped between the letters of a term: spaces, punctuation, symbols,
 * emoji, zero-width and other format characters) and `MARK` (combining marks and
 * variation selectors, which stay attached to the character before them).
 */
export const SEPARATOR = -1;
export const MARK = -2;

/**
 * Character flags. For a letter: LETTER_WORD when it belongs to a script that separates
 * words with spaces. For a separator: what it means as a gap between two letters.
 */
export const LETTER_WORD = 1;
export const GAP_WORD_BREAK = 2;
export const GAP_HARD_BREAK = 4;

const homoglyphs: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  х: 'x',
  у: 'y',
  і: 'i',
  ѕ: 's',
  ј: 'j',
  ο: 'o',
};

const letterOrNumber = /^[\p{L}\p{N}]$/u;
const markOnly = /^\p{M}$/u;
const spacedScriptLetter = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]$/u;
const spacedScriptWithMarks = /^([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}*$/u;
// Visible spacing only: zero-width characters (U+200B, U+FEFF, …) are evasion, not word breaks.
const whitespace = /^[\t\n\v\f\r\u0085\u2028\u2029\p{Zs}'’ʼ‘`]$/u;
// Clause marks. A line break is not one: copy wraps anywhere, and "转发到\n朋友圈" is one phrase.
const hardBreak = /^[。！？；，、!?;,｡]$/u;

/** Folds one code point; see the module comment. */
export function computeFold(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (markOnly.test(ch)) return MARK;
  const look = homoglyphs[ch.toLowerCase()];
  if (look !== undefined) return look.codePointAt(0)!;
  const decomposed = ch.normalize('NFKD');
  const base = spacedScriptWithMarks.exec(decomposed);
  let folded = base ? base[1]! : ch.normalize('NFKC');
  if ([...folded].length !== 1 || !letterOrNumber.test(folded)) {
    if (!letterOrNumber.test(ch)) return SEPARATOR;
    folded = ch;
  }
  const lower = folded.toLowerCase();
  const result = [...lower].length === 1 ? lower : folded;
  const mapped = homoglyphs[result] ?? result;
  return mapped.codePointAt(0)!;
}

let foldTable: Int32Array | undefined;
let infoTable: Uint8Array | undefined;
const astralCache = new Map<number, number>();

/** CJK unified ideographs and Hangul syllables fold to themselves: skip the slow path. */
function isPlainIdeograph(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xac00 && c <= 0xd7a3);
}

/** Folded code point (or SEPARATOR / MARK) for every BMP code unit; surrogates are 0. */
export function bmpFoldTable(): Int32Array {
  if (foldTable) return foldTable;
  const table = new Int32Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (isPlainIdeograph(c)) table[c] = c;
    else if (c >= 0xd800 && c <= 0xf8ff) table[c] = c >= 0xe000 ? SEPARATOR : 0;
    else table[c] = computeFold(c);
  }
  foldTable = table;
  return table;
}

/** Folds an astral code point; emoji and tag characters are separators without a lookup. */
export function foldAstral(cp: number): number {
  if (cp >= 0x1f000 && cp <= 0x1faff) return SEPARATOR;
  if (cp >= 0xe0000 && cp <= 0xe007f) return SEPARATOR;
  if (cp >= 0xe0100 && cp <= 0xe01ef) return MARK;
  let folded = astralCache.get(cp);
  if (folded === undefined) {
    folded = computeFold(cp);
    astralCache.set(cp, folded);
  }
  return folded;
}

/** Folds any code point. */
export function fold(cp: number): number {
  return cp < 0x10000 ? bmpFoldTable()[cp]! : foldAstral(cp);
}

/** Character flags (see above) of every BMP code unit. */
export function bmpInfoTable(): Uint8Array {
  if (infoTable) return infoTable;
  const folds = bmpFoldTable();
  const table = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const folded = folds[c]!;
    if (folded >= 0) {
      if (isWordLetter(folded)) table[c] = LETTER_WORD;
    } else if (folded === SEPARATOR && (c < 0xd800 || c > 0xdfff)) {
      table[c] = separatorInfo(c);
    }
  }
  infoTable = table;
  return table;
}

function separatorInfo(c: number): number {
  const ch = String.fromCharCode(c);
  const nfkc = ch.normalize('NFKC');
  const probe = nfkc.length === 1 ? nfkc : ch;
  if (hardBreak.test(probe) || hardBreak.test(ch)) return GAP_HARD_BREAK | GAP_WORD_BREAK;
  return whitespace.test(probe) ? GAP_WORD_BREAK : 0;
}

/** Character flags of an astral code point (mathematical letters fold to word letters). */
export function astralInfo(cp: number): number {
  const folded = foldAstral(cp);
  return folded >= 0 && isWordLetter(folded) ? LETTER_WORD : 0;
}

/** Whether a folded code point is a letter of a script that separates words with spaces. */
export function isWordLetter(folded: number): boolean {
  if (folded < 0x80) return (folded >= 0x61 && folded <= 0x7a) || (folded >= 0x41 && folded <= 0x5a);
  if (folded < 0) return false;
  return spacedScriptLetter.test(String.fromCodePoint(folded));
}
