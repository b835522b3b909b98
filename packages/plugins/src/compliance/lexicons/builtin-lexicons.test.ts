import { describe, expect, it } from 'vitest';
import { createSensitiveWordIndex } from '../engine/sensitive-word-index.js';
import { normaliseText } from '../text/normalise.js';
import { builtinLexicon, builtinLexiconNames, builtinLexicons } from './builtin-lexicons.js';

describe('shipped lexicons', () => {
  const lexicons = builtinLexicons();

  it('each has a level, a code, a description and its sources', () => {
    expect(lexicons.map((l) => [l.name, l.level])).toEqual([
      ['ad-law-absolute', 'revise'],
      ['inducement-to-share', 'revise'],
      ['financial-claims', 'block'],
      ['medical-claims', 'block'],
      ['contact-diversion', 'revise'],
      ['profanity-en', 'revise'],
    ]);
    for (const l of lexicons) {
      expect(l.code).toMatch(/^[A-Z_]+$/);
      expect(l.description).toBeTruthy();
      expect(l.source).toBeTruthy();
      expect(l.terms.length).toBeGreaterThan(10);
    }
  });

  it('takes English profanity from naughty-words, minus the exclusions', () => {
    const profanity = builtinLexicon('profanity-en');
    expect(profanity.terms.length).toBeGreaterThan(380);
    expect(profanity.terms).not.toContain('xx');
    expect(profanity.traditionalToSimplified).toBe(false);
    expect(profanity.source).toMatch(/LDNOOBW/);
  });

  it('cites the Advertising Law for the legal lexicons', () => {
    for (const name of ['ad-law-absolute', 'financial-claims', 'medical-claims'] as const) {
      expect(builtinLexicon(name).source).toMatch(/广告法/);
    }
  });

  it('compiles together, every term matching itself (or a spelling that normalises alike)', () => {
    const index = createSensitiveWordIndex(lexicons);
    const key = (t: string) => normaliseText(t).codePoints.join();
    for (const name of builtinLexiconNames) {
      for (const term of builtinLexicon(name).terms) {
        const hits = index.scan(` ${term} `);
        expect(
          hits.some((h) => h.lexicon === name && key(h.term) === key(term)),
          `${name}: ${term}`,
        ).toBe(true);
      }
    }
  });
});
