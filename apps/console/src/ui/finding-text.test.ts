import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelLimits, Finding } from '@qunfa/core';
import {
  abTestSample,
  audienceSize,
  builtinLexicons,
  channelContent,
  links,
  sensitiveWords,
  smsContent,
} from '@qunfa/plugins';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n.js';
import { LOCALES, type Locale } from '../i18n/locale.js';
import { messagesFor } from '../i18n/resources.js';
import { FINDING_FORMS, findingText } from './finding-text.js';

const packagesDir = fileURLToPath(new URL('../../../../packages', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** Every finding code the built-in rules can produce: the literals in their source and the shipped lexicons'. */
function builtinFindingCodes(): string[] {
  const codes = new Set(builtinLexicons().map((l) => l.code));
  for (const pkg of ['core', 'plugins']) {
    for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bcode: '([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
    }
  }
  return [...codes].sort();
}

function i18nFor(locale: Locale) {
  const instance = createI18n(locale);
  return {
    locale,
    tx: (key: string, fallback: string, vars?: Record<string, string | number>) =>
      instance.exists(key) ? instance.t(key, vars ?? {}) : fallback,
  };
}

const sms: ChannelLimits = {
  maxRecipientsPerSend: 1000,
  contentTypes: ['template'],
  receipts: true,
  recall: false,
  idempotencyKeys: false,
  sms: {
    signName: '群发',
    templates: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun templates write their variables as ${name}
      promo: { id: 'SMS_1', text: '${name}您好，会员日全场8折【限时】' },
    },
  },
};
const wecom: ChannelLimits = {
  maxRecipientsPerSend: 1000,
  contentTypes: ['text'],
  maxTextLength: 10,
  receipts: false,
  recall: false,
  idempotencyKeys: false,
};

/** Real findings of the built-in rules, one or more of most codes, as the API passes them on. */
async function realFindings(): Promise<Finding[]> {
  const ctx = { channels: ['channel:wecom'], channelLimits: { 'channel:wecom': wecom } };
  const text = '全网最低价，保本稳赚，详情加微信，戳 t.cn/A6x 或 https://bad.example/a';
  const content = [
    sensitiveWords().checkContent!({ type: 'text', text, subject: '根治失眠' }, ctx),
    links({
      blockedDomains: ['bad.example'],
      channels: { 'channel:wecom': { allowedDomains: ['shop.example.com'], maxLinks: 1 } },
    }).checkContent!({ type: 'text', text }, ctx),
    channelContent().checkContent!({ type: 'text', text }, ctx),
    smsContent().checkContent!(
      { type: 'template', subject: 'promo', text: 'name: 王芳\nlink: x' },
      { channels: ['channel:sms'], channelLimits: { 'channel:sms': sms } },
    ),
    smsContent().checkContent!(
      { type: 'text', text: '您好' },
      { channels: ['channel:sms'], channelLimits: { 'channel:sms': sms } },
    ),
  ];
  const campaign = {
    abTest: { testPercent: 10, holdoutPercent: 0, sampleSizePerVariant: null },
    variants: [
      { id: 'A', weight: 1 },
      { id: 'B', weight: 1 },
    ],
  };
  const campaignCtx = { audienceSize: 2000, now: new Date() };
  const rules = [
    audienceSize().checkCampaign!(campaign as never, campaignCtx as never),
    abTestSample().checkCampaign!(campaign as never, campaignCtx as never),
  ];
  return (await Promise.all([...content, ...rules])).flat() as Finding[];
}

describe('findingText', () => {
  it('has a name and a sentence in both languages for every code the built-in rules produce', () => {
    const codes = builtinFindingCodes();
    expect(codes).toEqual(
      expect.arrayContaining(['AD_LAW_ABSOLUTE_TERM', 'SMS_TOO_LONG', 'QUIET_HOURS_OFF']),
    );
    for (const locale of LOCALES) {
      const messages = messagesFor(locale);
      const wanted = codes.flatMap((code) => [
        `finding.${code}`,
        ...(FINDING_FORMS[code]?.map(({ form }) => `findingText.${code}.${form}`) ?? [`findingText.${code}`]),
      ]);
      expect(
        wanted.filter((key) => !(key in messages)),
        locale,
      ).toEqual([]);
    }
  });

  it('says each real finding of the built-in rules in Chinese from its params, with no English sentence left', async () => {
    const found = await realFindings();
    const codes = new Set(found.map((f) => f.code));
    for (const code of [
      'AD_LAW_ABSOLUTE_TERM',
      'MEDICAL_CLAIM',
      'LINK_SHORTENER',
      'TEXT_TOO_LONG',
      'SMS_BRACKETS',
    ])
      expect(codes).toContain(code);
    expect(found.length).toBeGreaterThan(12);
    const zh = i18nFor('zh-CN');
    for (const f of found) {
      const said = findingText(f, zh);
      expect(said, f.code).not.toBe(f.message);
      expect(said, f.code).not.toMatch(/\{\{|\b[A-Za-z]{3,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b/);
      expect(said, f.code).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('says the finding of the issue in Chinese and in English, by locale', async () => {
    const [finding] = sensitiveWords().checkContent!(
      { type: 'text', text: '全网最低价' },
      { channels: [] },
    ) as Finding[];
    expect(finding!.message).toContain('Absolute and superlative claims');
    expect(findingText(finding!, i18nFor('zh-CN'))).toBe(
      '“全网最低”属于广告法禁止的绝对化用语（如“最”“第一”“国家级”），请改为可证实的具体描述',
    );
    expect(findingText(finding!, i18nFor('en'))).toMatch(/^“全网最低” is an absolute or superlative claim/);
  });

  it('names where the finding is: the subject, an SMS template’s text', () => {
    const f = { rule: 'rule:sensitive-words', code: 'FINANCIAL_CLAIM', message: 'Subject: …' };
    expect(
      findingText(
        { ...f, params: { term: '保本', lexicon: 'financial-claims', part: 'subject' } },
        i18nFor('zh-CN'),
      ),
    ).toMatch(/^主题中：“保本”承诺保本/);
    expect(
      findingText(
        { ...f, params: { term: '保本', lexicon: 'financial-claims', smsTemplate: 'SMS_1' } },
        i18nFor('en'),
      ),
    ).toMatch(/^In the text of SMS template SMS_1: “保本” promises/);
  });

  it('formats numbers and lists by locale', () => {
    const i18n = i18nFor('zh-CN');
    const audience = { rule: 'rule:audience-size', code: 'AUDIENCE_NEEDS_APPROVAL', message: '…' };
    expect(findingText({ ...audience, params: { audience: 12000, threshold: 500 } }, i18nFor('en'))).toBe(
      '12,000 recipients: a campaign over 500 needs an approver’s review',
    );
    const domains = { rule: 'rule:links', code: 'LINK_DOMAIN_NOT_ALLOWED', message: '…' };
    expect(
      findingText({ ...domains, params: { url: 't.cn/x', allowedDomains: ['a.cn', 'b.cn', 'c.cn'] } }, i18n),
    ).toBe('该渠道只允许链接到 a.cn、b.cn和c.cn：t.cn/x');
  });

  it('words an operator’s own lexicon by its rule, and falls back to the API’s message otherwise', () => {
    const zh = i18nFor('zh-CN');
    const own = {
      rule: 'rule:sensitive-words',
      code: 'LEXICON_COMPETITORS',
      message: '"竞品A" (competitors)',
    };
    expect(findingText({ ...own, params: { term: '竞品A', lexicon: 'competitors' } }, zh)).toBe(
      '“竞品A”命中词库 competitors',
    );
    // An integrator's rule the console does not know; a finding stored before rules sent params; params lacking a detail.
    const plugin = { rule: 'rule:acme', code: 'ACME_THING', message: 'Acme says no', params: { x: 1 } };
    expect(findingText(plugin, zh)).toBe('Acme says no');
    expect(findingText({ ...own, code: 'AD_LAW_ABSOLUTE_TERM', params: null }, zh)).toBe(own.message);
    expect(
      findingText({ rule: 'rule:links', code: 'TOO_MANY_LINKS', message: 'm', params: { max: 1 } }, zh),
    ).toBe('m');
  });
});
