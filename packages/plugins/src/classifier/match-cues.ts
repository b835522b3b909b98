import { type Cue, type ReplyLexicon, WORD } from './reply-lexicon.js';

/** A cue found in a reply: where, and whether a negator stands before it. */
export interface CueMatch {
  cue: Cue;
  start: number;
  end: number;
  negated: boolean;
}

type Found = { cue: Cue; start: number; end: number };

/** Every occurrence of a cue, by looking up the cues that start with each character. */
function substringHits(text: string, lexicon: ReplyLexicon, out: Found[]): void {
  for (let i = 0; i < text.length; i++) {
    const cues = lexicon.byHead.get(text[i]!);
    if (!cues) continue;
    for (const cue of cues)
      if (text.startsWith(cue.text, i)) out.push({ cue, start: i, end: i + cue.text.length });
  }
}

/** Every occurrence of a cue as whole words, separated by spaces or commas only. */
function wordHits(text: string, lexicon: ReplyLexicon, out: Found[]): void {
  const words = [...text.matchAll(WORD)];
  for (let w = 0; w < words.length; w++) {
    const cues = lexicon.byHead.get(words[w]![0]);
    if (!cues) continue;
    for (const cue of cues) {
      let ok = w + cue.words.length <= words.length;
      for (let k = 1; ok && k < cue.words.length; k++) {
        const prev = words[w + k - 1]!;
        const next = words[w + k]!;
        ok = next[0] === cue.words[k] && /^[\s,]+$/.test(text.slice(prev.index + prev[0].length, next.index));
      }
      if (!ok) continue;
      const last = words[w + cue.words.length - 1]!;
      out.push({ cue, start: words[w]!.index, end: last.index + last[0].length });
    }
  }
}

/** For each position, where its clause starts. */
function clauseStarts(text: string, breaks: ReadonlySet<string>): Int32Array {
  const starts = new Int32Array(text.length + 1);
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    starts[i] = start;
    if (i < text.length && breaks.has(text[i]!)) start = i + 1;
  }
  return starts;
}

/** Whether a negator (not part of a not-negator, nor of another cue) stands in [from, to). */
function negatorIn(
  text: string,
  from: number,
  to: number,
  lexicon: ReplyLexicon,
  taken: Uint8Array,
): boolean {
  for (let i = from; i < to; i++) {
    if (taken[i]) continue;
    const negator = lexicon.negators.find((n) => text.startsWith(n, i) && i + n.length <= to);
    if (!negator) continue;
    const excused = lexicon.notNegators.some((nn) => {
      for (let j = Math.max(0, i - nn.length + 1); j <= i; j++) if (text.startsWith(nn, j)) return true;
      return false;
    });
    if (!excused) return true;
  }
  return false;
}

/** Whether one of the `window` words before `at` (in its clause, outside other cues) negates. */
function negatingWord(
  text: string,
  clause: number,
  at: number,
  lexicon: ReplyLexicon,
  taken: Uint8Array,
): boolean {
  // Only the last few words can count: look at a bounded stretch before the cue.
  const from = Math.max(clause, at - 64);
  const words = [...text.slice(from, at).matchAll(WORD)].filter((w) => !taken[from + w.index]);
  return words
    .slice(-lexicon.negationWindow)
    .some((w) => lexicon.negators.includes(w[0]) || w[0].endsWith("n't"));
}

/**
 * The cues of every lexicon found in `text` (normalised): longer cues first, a shorter one
 * overlapping a longer one dropped ("不感兴趣" hides "感兴趣"); then each is checked for a
 * negator in the window before it, in its clause ("不是投诉", "no problem").
 */
export function matchCues(text: string, lexicons: readonly ReplyLexicon[]): CueMatch[] {
  const candidates: (Found & { lexicon: ReplyLexicon })[] = [];
  for (const lexicon of lexicons) {
    const found: Found[] = [];
    if (lexicon.match === 'words') wordHits(text, lexicon, found);
    else substringHits(text, lexicon, found);
    for (const f of found) candidates.push({ ...f, lexicon });
  }
  candidates.sort(
    (a, b) => b.end - b.start - (a.end - a.start) || b.cue.weight - a.cue.weight || a.start - b.start,
  );
  const accepted: typeof candidates = [];
  const taken = new Uint8Array(text.length);
  for (const c of candidates) {
    if (taken.subarray(c.start, c.end).some((t) => t === 1)) continue;
    taken.fill(1, c.start, c.end);
    accepted.push(c);
  }
  const clauses = new Map(lexicons.map((l) => [l, clauseStarts(text, l.clauseBreaks)]));
  return accepted
    .sort((a, b) => a.start - b.start)
    .map(({ cue, start, end, lexicon }) => {
      const clause = clauses.get(lexicon)![start]!;
      const negated =
        lexicon.match === 'words'
          ? negatingWord(text, clause, start, lexicon, taken)
          : negatorIn(text, Math.max(clause, start - lexicon.negationWindow), start, lexicon, taken);
      return { cue, start, end, negated };
    });
}
