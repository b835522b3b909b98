import { describe, expect, it } from 'vitest';
import { lexiconFromTerms } from './lexicon.js';
import { createSensitiveWordIndex } from './sensitive-word-index.js';

// `boundary: 'word'` is opt-in: the shipped lexicons measured better without it (see the
// lexicon files' boundaryRationale), but an operator's short terms may want it.
const terms = ['保本', '第一'];
const onWords = createSensitiveWordIndex([lexiconFromTerms('words', 'block', terms, { boundary: 'word' })]);
const anywhere = createSensitiveWordIndex([lexiconFromTerms('anywhere', 'block', terms)]);
const found = (index: typeof onWords, text: string) =>
  index.scan(text).map((h) => text.slice(h.start, h.end));

describe("lexicon boundary: 'word'", () => {
  it('drops a hit whose letters belong to neighbouring words', () => {
    for (const text of ['医保本年度缴费提醒', '环保本色：旧衣回收', '每月第一个周六']) {
      expect(found(anywhere, text), text).not.toEqual([]);
      expect(found(onWords, text), text).toEqual([]);
    }
  });

  it('keeps a hit that is a word of its own, whatever separates its letters', () => {
    expect(found(onWords, '本理财产品保本保息')).toEqual(['保本']);
    expect(found(onWords, '资金安全，保\n本，保收益')).toEqual(['保\n本']);
    expect(found(onWords, '医保本金保本')).toEqual(['保本']);
  });

  it('reads a clause mark as a boundary, a line break or a zero-width space as none', () => {
    expect(found(onWords, '请去医保中心办理。保本理财请咨询')).toEqual(['保本']);
    expect(found(onWords, '医\n保本年度')).toEqual([]);
    expect(found(onWords, '医\u200b保本年度')).toEqual([]);
  });

  it('is validated as data', () => {
    expect(() => lexiconFromTerms('x', 'block', ['a'], { boundary: 'sentence' as 'word' })).toThrow(
      /boundary/,
    );
    expect(lexiconFromTerms('x', 'block', ['a']).boundary).toBe('none');
  });
});
