import type { ComplianceRule, Content, ContentCheckContext, Finding } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { channelContent } from '../rules/channel-content.js';
import { sensitiveWords } from '../rules/sensitive-words.js';
import { checkTemplate } from './check-template.js';

const ctx: ContentCheckContext = {
  channels: ['channel:sms'],
  channelLimits: {
    'channel:sms': {
      maxRecipientsPerSend: 100,
      contentTypes: ['text'],
      maxTextLength: 20,
      receipts: true,
      recall: false,
      idempotencyKeys: false,
    },
  },
};

/** A rule that records what it was asked to check. */
function spy(): ComplianceRule & { seen: string[] } {
  const seen: string[] = [];
  return {
    kind: 'rule',
    name: 'rule:spy',
    seen,
    checkContent(content: Content): Finding[] {
      seen.push(content.text);
      return [];
    },
  };
}

describe('checkTemplate', () => {
  it('checks the template once and each distinct value of each used variable once', async () => {
    const rule = spy();
    const content: Content = { type: 'text', text: '{{name}}您好，{{attributes.city}}店开业，{{name}}' };
    await checkTemplate(
      [rule],
      content,
      { name: ['张三', '李四', '张三', ''], 'attributes.city': ['北京'], unused: ['x'] },
      ctx,
    );
    expect(rule.seen).toEqual([content.text, '张三', '李四', '北京']);
  });

  it('points a finding in a value at the placeholder, naming the term but never the value', async () => {
    const content: Content = { type: 'text', text: '您好，{{name}}' };
    const findings = await checkTemplate(
      [sensitiveWords()],
      content,
      { name: ['王五', '加微信的小号', '请加微信吧'] },
      ctx,
    );
    // A contact's value is personal data (and findings outlive an erasure): one finding per
    // term, whatever values carried it.
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'CONTACT_DIVERSION',
        span: { start: 3, end: 11 },
        message: expect.stringMatching(/^In \{\{name\}\} \(a contact's value\): "加微信"/),
      }),
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/小号|请加/);
  });

  it('dedupes identical findings', async () => {
    const twice: ComplianceRule = {
      kind: 'rule',
      name: 'rule:twice',
      checkContent: () => [
        { rule: 'rule:twice', level: 'warn', code: 'X', message: 'same' },
        { rule: 'rule:twice', level: 'warn', code: 'X', message: 'same' },
      ],
    };
    expect(await checkTemplate([twice, twice], { type: 'text', text: 'a' }, {}, ctx)).toHaveLength(1);
  });

  it('measures length with the longest value of each variable', async () => {
    const content: Content = { type: 'text', text: '您好{{name}}，欢迎光临' };
    expect(await checkTemplate([channelContent()], content, { name: ['张三'] }, ctx)).toEqual([]);
    const long = await checkTemplate(
      [channelContent()],
      content,
      { name: ['张三', '欧阳一二三四五六七八九十百千'] },
      ctx,
    );
    expect(long).toMatchObject([{ code: 'TEXT_TOO_LONG', channel: 'channel:sms' }]);
  });

  it('awaits asynchronous rules', async () => {
    const slow: ComplianceRule = {
      kind: 'rule',
      name: 'rule:slow',
      checkContent: async (c) =>
        c.text === 'bad' ? [{ rule: 'rule:slow', level: 'block', code: 'BAD', message: 'bad' }] : [],
    };
    const findings = await checkTemplate([slow], { type: 'text', text: '{{x}}' }, { x: ['ok', 'bad'] }, ctx);
    expect(findings).toMatchObject([{ code: 'BAD', span: { start: 0, end: 5 } }]);
  });
});
