import { type Finding, isQunfaError } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { findLinks } from './find-links.js';
import { links, urlShorteners } from './links.js';

const run = (rule: ReturnType<typeof links>, text: string, channels: string[] = []) =>
  rule.checkContent!({ type: 'text', text }, { channels }) as Finding[];

describe('findLinks', () => {
  it('finds links with and without a scheme, with exact spans', () => {
    const text = '详情见https://Shop.Example.com/a?b=1，或访问www.example.cn。';
    expect(findLinks(text).map((l) => [l.host, text.slice(l.start, l.end)])).toEqual([
      ['shop.example.com', 'https://Shop.Example.com/a?b=1'],
      ['example.cn', 'www.example.cn'],
    ]);
  });

  it('finds bare domains next to Chinese text and full-width evasions', () => {
    expect(findLinks('点击t.cn/A6x了解').map((l) => l.url)).toEqual(['t.cn/A6x']);
    expect(findLinks('访问ｔ。ｃｎ／ａｂｃ').map((l) => l.host)).toEqual(['t.cn']);
  });

  it('ignores e-mail addresses, version numbers and sentences', () => {
    expect(findLinks('write to help@example.com')).toEqual([]);
    expect(findLinks('v1.2.3 is out. Thanks.')).toEqual([]);
    expect(findLinks('e.g. this one')).toEqual([]);
  });
});

describe('rule:links', () => {
  it('blocks a blocked domain and its subdomains', () => {
    const rule = links({ blockedDomains: ['bad.example'] });
    expect(run(rule, 'go to https://x.bad.example/y')).toMatchObject([
      { rule: 'rule:links', level: 'block', code: 'LINK_BLOCKED_DOMAIN', span: { start: 6, end: 29 } },
    ]);
    expect(run(rule, 'go to notbad.example.com')).toEqual([]);
  });

  it('warns about URL shorteners from the shipped list', () => {
    expect(urlShorteners).toContain('t.cn');
    expect(urlShorteners).toContain('bit.ly');
    expect(run(links(), '戳 bit.ly/3xYz 领取')).toMatchObject([{ level: 'warn', code: 'LINK_SHORTENER' }]);
    expect(run(links({ shortenerLevel: 'revise' }), 'dwz.cn/abc')).toMatchObject([{ level: 'revise' }]);
  });

  it('applies link policies per channel and names the channel', () => {
    const rule = links({
      channels: {
        'channel:wechat-personal': { allowLinks: false },
        'channel:sms': { allowedDomains: ['example.com'] },
      },
    });
    const text = '详情 https://other.cn/x';
    expect(run(rule, text, ['channel:wechat-personal', 'channel:sms', 'channel:email'])).toMatchObject([
      { level: 'revise', code: 'LINK_NOT_ALLOWED', channel: 'channel:wechat-personal' },
      { level: 'revise', code: 'LINK_DOMAIN_NOT_ALLOWED', channel: 'channel:sms' },
    ]);
    expect(run(rule, '详情 https://m.example.com/x', ['channel:sms'])).toEqual([]);
  });

  it('counts links per channel, subject included', () => {
    const rule = links({
      channels: { 'channel:sms-aliyun': { maxLinks: 1 }, 'channel:email-smtp': { maxLinks: 3 } },
    });
    const text = '秒杀 https://shop.example.com/a 详情 https://shop.example.com/b';
    const findings = run(rule, text, ['channel:sms-aliyun', 'channel:email-smtp', 'channel:wecom']);
    expect(findings).toEqual([
      {
        rule: 'rule:links',
        level: 'revise',
        code: 'TOO_MANY_LINKS',
        channel: 'channel:sms-aliyun',
        params: { max: 1, count: 2 },
        message: 'channel:sms-aliyun allows 1 link in a message; this one has 2',
        span: { start: text.indexOf('https://shop.example.com/b'), end: text.length },
      },
    ]);
    const mail = links({ channels: { 'channel:email-smtp': { maxLinks: 1 } } }).checkContent!(
      {
        type: 'email',
        text: '<a href="https://shop.example.com/a">a</a>',
        subject: 'see https://shop.example.com/s',
      },
      { channels: ['channel:email-smtp'] },
    );
    expect(mail).toMatchObject([{ code: 'TOO_MANY_LINKS', channel: 'channel:email-smtp' }]);
    expect(run(rule, '一个链接 https://shop.example.com/a', ['channel:sms-aliyun'])).toEqual([]);
  });

  it('checks the subject too', () => {
    const findings = links().checkContent!(
      { type: 'email', text: 'hi', subject: 'see t.cn/x' },
      { channels: [] },
    );
    expect(findings).toMatchObject([
      { code: 'LINK_SHORTENER', message: expect.stringMatching(/^Subject: /) },
    ]);
  });

  it('refuses a malformed domain', () => {
    expect(() => links({ blockedDomains: ['not a domain'] })).toThrow(/option "blockedDomains.0"/);
    try {
      links({ blockedDomains: ['x'] });
    } catch (error) {
      expect(isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
    }
  });
});
