import type { ChannelLimits, Finding } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { channelContent } from './channel-content.js';

const limits = (over: Partial<ChannelLimits>): ChannelLimits => ({
  maxRecipientsPerSend: 100,
  contentTypes: ['text'],
  receipts: false,
  recall: false,
  idempotencyKeys: false,
  ...over,
});

const channelLimits = {
  'channel:sms': limits({ maxTextLength: 10 }),
  'channel:wecom': limits({ contentTypes: ['text', 'markdown', 'news'], maxTextLength: 2048 }),
};

describe('rule:channel-content', () => {
  const rule = channelContent();
  const run = (text: string, type: 'text' | 'markdown' = 'text', extra = {}) =>
    rule.checkContent!(
      { type, text },
      { channels: ['channel:sms', 'channel:wecom'], channelLimits, ...extra },
    ) as Finding[];

  it("blocks text over a channel's length, spanning the overflow, and names the channel", () => {
    const text = '一二三四五六七八九十😀超出';
    expect(run(text)).toEqual([
      {
        rule: 'rule:channel-content',
        level: 'block',
        code: 'TEXT_TOO_LONG',
        channel: 'channel:sms',
        params: { max: 10, length: 13 },
        message: 'channel:sms allows 10 characters; this text has 13',
        span: { start: 10, end: text.length },
      },
    ]);
  });

  it('counts code points by default, UTF-16 units when asked', () => {
    expect(run('😀😀😀😀😀😀')).toEqual([]);
    const utf16 = channelContent({ countBy: 'utf16' });
    const findings = utf16.checkContent!(
      { type: 'text', text: '😀😀😀😀😀😀' },
      { channels: ['channel:sms'], channelLimits },
    );
    expect(findings).toMatchObject([{ code: 'TEXT_TOO_LONG', span: { start: 10, end: 12 } }]);
  });

  it('blocks a content type the channel cannot send', () => {
    expect(run('**hi**', 'markdown')).toMatchObject([
      { level: 'block', code: 'CONTENT_TYPE_UNSUPPORTED', channel: 'channel:sms' },
    ]);
  });

  it('takes levels from its options', () => {
    const lenient = channelContent({ lengthLevel: 'warn', typeLevel: 'revise' });
    const findings = lenient.checkContent!(
      { type: 'markdown', text: '01234567890' },
      { channels: ['channel:sms'], channelLimits },
    );
    expect(findings.map((f) => [f.code, f.level])).toEqual([
      ['CONTENT_TYPE_UNSUPPORTED', 'revise'],
      ['TEXT_TOO_LONG', 'warn'],
    ]);
  });

  it('counts a placeholder at its longest value when checkTemplate provides it', () => {
    expect(run('您好{{name}}')).toEqual([]);
    expect(run('您好{{name}}', 'text', { longestValues: { name: 9 } })).toMatchObject([
      { code: 'TEXT_TOO_LONG' },
    ]);
  });

  it('ignores channels without known limits and single variable values', () => {
    expect(
      rule.checkContent!({ type: 'text', text: 'x'.repeat(50) }, { channels: ['channel:other'] }),
    ).toEqual([]);
    expect(run('x'.repeat(50), 'text', { variable: 'name' })).toEqual([]);
  });
});
