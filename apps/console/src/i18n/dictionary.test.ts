import { describe, expect, it } from 'vitest';
import { DICTIONARIES, parseLocale, translateDynamic, translator } from './dictionary.js';

describe('dictionary', () => {
  it('has the same non-empty keys in every locale', () => {
    const zhKeys = Object.keys(DICTIONARIES['zh-CN']).sort();
    expect(Object.keys(DICTIONARIES.en).sort()).toEqual(zhKeys);
    for (const messages of Object.values(DICTIONARIES)) {
      for (const text of Object.values(messages)) expect(text.trim()).not.toBe('');
    }
  });

  it('translates with the operators’ vocabulary by default', () => {
    const t = translator(parseLocale(null));
    expect(t('state.RUNNING')).toBe('发送中');
    expect(t('metric:delivery-rate')).toBe('到达率');
    expect(translator('en')('state.RUNNING')).toBe('Sending');
  });

  it('falls back for keys made at run time', () => {
    expect(translateDynamic('zh-CN', 'state.FAILED', 'FAILED')).toBe('失败');
    expect(translateDynamic('en', 'metric:custom', 'Custom metric')).toBe('Custom metric');
    expect(translateDynamic('en', 'toString', 'x')).toBe('x');
  });

  it('accepts only known locales', () => {
    expect(parseLocale('en')).toBe('en');
    expect(parseLocale('zh-CN')).toBe('zh-CN');
    expect(parseLocale('fr')).toBe('zh-CN');
    expect(parseLocale(undefined)).toBe('zh-CN');
  });
});
