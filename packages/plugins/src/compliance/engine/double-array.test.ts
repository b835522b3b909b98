import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDoubleArray } from './double-array.js';

/** Every (pattern, end) occurrence, found by the automaton. */
function automatonMatches(patterns: number[][], text: number[]): string[] {
  const a = buildDoubleArray(
    patterns.map((p) => Int32Array.from(p)),
    6,
  );
  const byState = new Map<number, number[]>();
  for (const [i, s] of a.patternState.entries()) byState.set(s, [...(byState.get(s) ?? []), i]);
  const found: string[] = [];
  let s = 0;
  text.forEach((c, i) => {
    for (;;) {
      const t = a.base[s]! + c;
      if (a.check[t] === s) {
        s = t;
        break;
      }
      if (s === 0) break;
      s = a.fail[s]!;
    }
    for (let r = a.report[s]!; r !== 0; r = a.report[a.fail[r]!]!) {
      for (const p of byState.get(r) ?? []) found.push(`${p}@${i}`);
    }
  });
  return found.sort();
}

/** The reference: try every pattern at every end position. */
function naiveMatches(patterns: number[][], text: number[]): string[] {
  const found: string[] = [];
  patterns.forEach((p, pi) => {
    for (let end = p.length - 1; end < text.length; end++) {
      if (p.every((c, j) => text[end - p.length + 1 + j] === c)) found.push(`${pi}@${end}`);
    }
  });
  return found.sort();
}

describe('buildDoubleArray', () => {
  it('finds exactly the occurrences a naive search finds', () => {
    const symbol = fc.integer({ min: 1, max: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.array(symbol, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 30 }),
        fc.array(symbol, { maxLength: 60 }),
        (patterns, text) => {
          expect(automatonMatches(patterns, text)).toEqual(naiveMatches(patterns, text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles the classic he/she/his/hers example', () => {
    const enc = (s: string) => [...s].map((c) => ' hersi'.indexOf(c));
    const patterns = ['he', 'she', 'his', 'hers'].map(enc);
    expect(automatonMatches(patterns, enc('ishers'))).toEqual(['0@3', '1@3', '3@5']);
  });
});
