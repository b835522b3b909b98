import { describe, expect, it } from 'vitest';
import { normaliseText } from './normalise.js';

const plain = (text: string, traditionalToSimplified = true) =>
  String.fromCodePoint(...normaliseText(text, { traditionalToSimplified }).codePoints);

describe('normaliseText', () => {
  it('folds full-width letters, digits and case', () => {
    expect(plain('ＶＸ１２３ＡｂＣ')).toBe('vx123abc');
    expect(plain('WeChat')).toBe('wechat');
  });

  it('drops spaces, punctuation, zero-width characters, emoji and variation selectors', () => {
    expect(plain('微 信')).toBe('微信');
    expect(plain('V.X')).toBe('vx');
    expect(plain('加\u200b微\u200c信\u200d')).toBe('加微信');
    expect(plain('加😀微🇨🇳信')).toBe('加微信');
    expect(plain('微\ufe0f信\u3000号')).toBe('微信号');
    expect(plain('f*u-c_k!')).toBe('fuck');
  });

  it('strips diacritics from Latin letters, precomposed or combining', () => {
    expect(plain('fúck')).toBe('fuck');
    expect(plain('fu\u0301ck')).toBe('fuck');
    expect(plain('CAFÉ')).toBe('cafe');
  });

  it('resolves compatibility forms, circled and mathematical letters and Cyrillic look-alikes', () => {
    expect(plain('Ⓥⓧ')).toBe('vx');
    expect(plain('𝐟𝐮𝐜𝐤')).toBe('fuck');
    expect(plain('аss')).toBe('ass');
    expect(plain('①②')).toBe('12');
  });

  it('maps traditional to simplified only when asked', () => {
    expect(plain('轉發到朋友圈')).toBe('转发到朋友圈');
    expect(plain('臺灣裡著')).toBe('台湾里着');
    expect(plain('轉發', false)).toBe('轉發');
  });

  it('keeps Japanese voicing marks and Hangul syllables intact', () => {
    expect(plain('がぎ')).toBe('がぎ');
    expect(plain('한국')).toBe('한국');
  });

  it('maps every letter back to its original UTF-16 range, marks included', () => {
    const text = '😀a\u0301🇨🇳𝐛1️⃣';
    const n = normaliseText(text);
    expect(n.codePoints.map((c) => String.fromCodePoint(c))).toEqual(['a', 'b', '1']);
    expect(n.codePoints.map((_, i) => text.slice(n.starts[i], n.ends[i]))).toEqual(['a\u0301', '𝐛', '1️⃣']);
  });
});
