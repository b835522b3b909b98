import { type Finding, isQunfaError } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { lexiconFromTerms } from '../engine/lexicon.js';
import { createSensitiveWordIndex } from '../engine/sensitive-word-index.js';
import { sensitiveWords } from './sensitive-words.js';

const rule = sensitiveWords();
const check = (text: string, channels: string[] = [], subject?: string) =>
  rule.checkContent!({ type: 'text', text, ...(subject ? { subject } : {}) }, { channels }) as Finding[];

describe('rule:sensitive-words with the shipped lexicons', () => {
  it('is a plain, namespaced rule', () => {
    expect(rule).toMatchObject({ kind: 'rule', name: 'rule:sensitive-words' });
  });

  it.each([
    ['本品可根治失眠', 'block', 'MEDICAL_CLAIM', '根治'],
    ['药到病除，无效退款', 'block', 'MEDICAL_CLAIM', '药到病除'],
    ['稳赚不赔，年化12%', 'block', 'FINANCIAL_CLAIM', '稳赚不赔'],
    ['保本理财限时抢购', 'block', 'FINANCIAL_CLAIM', '保本'],
    ['全网最低价，销量第一', 'revise', 'AD_LAW_ABSOLUTE_TERM', '全网最低'],
    ['国家级品质', 'revise', 'AD_LAW_ABSOLUTE_TERM', '国家级'],
    ['转发到朋友圈即可领取', 'revise', 'INDUCED_SHARING', '转发到朋友圈'],
    ['集赞30个送咖啡', 'revise', 'INDUCED_SHARING', '集赞'],
    ['详情加微信咨询', 'revise', 'CONTACT_DIVERSION', '加微信'],
    ['有事加 微', 'revise', 'CONTACT_DIVERSION', '加 微'],
    ['加ＶＸ：qunfa2024', 'revise', 'CONTACT_DIVERSION', '加ＶＸ'],
    ['稳 赚 不 赔', 'block', 'FINANCIAL_CLAIM', '稳 赚 不 赔'],
    ['包治百病！', 'block', 'MEDICAL_CLAIM', '包治百病'],
    ['what the fuck', 'revise', 'PROFANITY', 'fuck'],
  ] as const)('%s → %s %s', (text, level, code, term) => {
    const findings = check(text);
    const finding = findings.find((f) => f.code === code);
    expect(finding).toMatchObject({ rule: 'rule:sensitive-words', level, code });
    expect(text.slice(finding!.span!.start, finding!.span!.end)).toBe(term);
    expect(finding!.message).toMatch(/^"[^"]+" \(/);
  });

  it('names the lexicon in the message, and the term and lexicon in params for clients to word it', () => {
    expect(check('最佳选择')[0]!.message).toMatch(/^"最佳" \(ad-law-absolute\): /);
    expect(check('最佳选择')[0]!.params).toEqual({ term: '最佳', lexicon: 'ad-law-absolute' });
  });

  it('reports the outermost hit only, unless asked for nested ones', () => {
    expect(check('加微信').map((f) => f.message.split(' ')[0])).toEqual(['"加微信"']);
    const nested = sensitiveWords({ reportNested: true });
    const all = nested.checkContent!({ type: 'text', text: '加微信' }, { channels: [] }) as Finding[];
    expect(all.map((f) => f.message.split(' ')[0]).sort()).toEqual(['"加微"', '"加微信"']);
  });

  it('keeps a lower-level hit that overlaps a higher one only partly', () => {
    const codes = check('稳赚不赔第一').map((f) => f.code);
    expect(codes).toEqual(['FINANCIAL_CLAIM', 'AD_LAW_ABSOLUTE_TERM']);
  });

  it('lowers contact diversion to warn on WeCom, per channel', () => {
    const findings = check('加微信领券', ['channel:sms', 'channel:wecom']);
    expect(findings.map((f) => [f.channel, f.level])).toEqual([
      ['channel:sms', 'revise'],
      ['channel:wecom', 'warn'],
    ]);
  });

  it('accepts other channel levels', () => {
    const strict = sensitiveWords({ channelLevels: { 'medical-claims': { 'channel:sandbox': 'warn' } } });
    const findings = strict.checkContent!({ type: 'text', text: '根治' }, { channels: ['channel:sandbox'] });
    expect(findings).toMatchObject([{ level: 'warn', channel: 'channel:sandbox' }]);
  });

  it('checks the subject, without a span', () => {
    const findings = check('正文', [], '稳赚');
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'FINANCIAL_CLAIM',
        message: expect.stringMatching(/^Subject: /),
        params: expect.objectContaining({ part: 'subject' }),
      }),
    ]);
    expect(findings[0]!.span).toBeUndefined();
  });

  it('does not join text across a placeholder', () => {
    expect(check('加{{name}}微信')).toEqual([]);
    const [finding] = check('{{name}}，加微信');
    expect(finding!.span).toEqual({ start: 9, end: 12 });
  });
});

describe("rule:sensitive-words with operators' lexicons", () => {
  it('uses the lexicons it is given', () => {
    const own = sensitiveWords({ lexicons: [lexiconFromTerms('brands', 'warn', ['竞品A'])] });
    expect(own.checkContent!({ type: 'text', text: '比竞品a更好' }, { channels: [] })).toMatchObject([
      { level: 'warn', code: 'LEXICON_BRANDS' },
    ]);
  });

  it('sees a rebuilt index through a getter, without being recreated', () => {
    let current = createSensitiveWordIndex([lexiconFromTerms('brands', 'warn', ['旧词'])]);
    const own = sensitiveWords({ index: () => current });
    const run = (text: string) => own.checkContent!({ type: 'text', text }, { channels: [] }) as Finding[];
    expect(run('新词')).toEqual([]);
    current = createSensitiveWordIndex([lexiconFromTerms('brands', 'revise', ['旧词', '新词'])]);
    expect(run('新词')).toMatchObject([{ level: 'revise' }]);
  });

  it('refuses invalid options with a typed error naming the field', () => {
    try {
      sensitiveWords({ channelLevels: { x: { y: 'fatal' as 'warn' } } });
      expect.unreachable();
    } catch (error) {
      expect(isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/\[rule:sensitive-words\] option "channelLevels.x.y"/);
    }
  });
});
