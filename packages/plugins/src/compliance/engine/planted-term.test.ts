import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseText } from '../text/normalise.js';
import { lexiconFromTerms } from './lexicon.js';
import { createSensitiveWordIndex } from './sensitive-word-index.js';

const terms = ['加微信', '转发到朋友圈', '稳赚不赔', 'fuck', 'vx', '加vx', 'ball gag', '根治', '𠮷野家'];
const index = createSensitiveWordIndex([lexiconFromTerms('planted', 'warn', terms)]);

/** Filler that cannot touch a term from outside: CJK not used by the terms, digits, emoji, spaces. */
const filler = fc
  .array(
    fc.constantFrom('好', '的', '店', '铺', '１', '2', ' ', '，', '😀', '👍🏽', '🇨🇳', '\n', '。', '한'),
    {
      maxLength: 12,
    },
  )
  .map((chars) => chars.join(''));

/** Separators inserted between two letters: never more than 8 code points in all. */
const separatorRun = fc
  .array(fc.constantFrom('.', '-', '*', '_', '\u200b', '\u200d', '\ufeff', '😀', '🇨🇳', '·', '~'), {
    maxLength: 3,
  })
  .map((parts) => parts.join(''));

const planted = fc.record({
  term: fc.constantFrom(...terms),
  before: filler,
  after: filler,
  seps: fc.array(separatorRun, { minLength: 10, maxLength: 10 }),
});

describe('a planted term with random separators', () => {
  it('is found, and its span starts with the first letter and ends with the last', () => {
    fc.assert(
      fc.property(planted, ({ term, before, after, seps }) => {
        const letters = [...term];
        const body = letters
          .map((ch, i) => (i === 0 || ch === ' ' || letters[i - 1] === ' ' ? ch : seps[i] + ch))
          .join('');
        const text = before + body + after;
        const hit = index.scan(text).find((h) => h.term === term && h.start >= before.length);
        expect(hit, JSON.stringify(text)).toBeDefined();
        const slice = text.slice(hit!.start, hit!.end);
        expect(slice.startsWith(letters[0]!)).toBe(true);
        expect(slice.endsWith(letters[letters.length - 1]!)).toBe(true);
        expect(normaliseText(slice).codePoints).toEqual(normaliseText(term).codePoints);
      }),
      { numRuns: 500 },
    );
  });

  it('never reports a span that splits a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.constantFrom(...terms),
        (noise, term) => {
          const text = noise + term + noise;
          for (const hit of index.scan(text)) {
            const first = text.charCodeAt(hit.start);
            const beforeEnd = text.charCodeAt(hit.end - 1);
            expect(first >= 0xdc00 && first <= 0xdfff).toBe(false);
            expect(beforeEnd >= 0xd800 && beforeEnd <= 0xdbff).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
