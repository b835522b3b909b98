// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Aliyun templates write their variables as ${name}
import type { ChannelLimits, Finding, SmsProfile } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import type { TemplateContentContext } from '../template/template-context.js';
import { smsContent } from './sms-content.js';
import { smsSegments } from './sms-segments.js';

const sms = (profile: SmsProfile): ChannelLimits => ({
  maxRecipientsPerSend: 1000,
  contentTypes: ['template'],
  receipts: true,
  recall: false,
  idempotencyKeys: false,
  sms: profile,
});

const channelLimits: Record<string, ChannelLimits> = {
  'channel:sms-aliyun': sms({
    signName: '阿里云',
    templates: {
      promo: { id: 'SMS_1', text: '${name}您好，会员日全场8折，回复TD退订', kind: 'marketing' },
      code: { id: 'SMS_2', text: '您的验证码为${code}，5分钟内有效', kind: 'verification' },
      bare: { id: 'SMS_3', text: '${name}您好，新品上架 ${link}' },
      coded: { id: 'SMS_4' },
    },
  }),
  'channel:sms-tencent': sms({
    signName: '腾讯云',
    templates: { promo: { id: '1001', text: '{1}您好，会员日全场8折，回复TD退订' } },
  }),
  'channel:wecom': {
    maxRecipientsPerSend: 1000,
    contentTypes: ['text'],
    receipts: false,
    recall: false,
    idempotencyKeys: false,
  },
};

const rule = smsContent();
const run = (
  content: { type: 'text' | 'template'; text: string; subject?: string },
  channels = ['channel:sms-aliyun'],
  extra: Partial<TemplateContentContext> = {},
) => rule.checkContent(content, { channels, channelLimits, ...extra }) as Finding[];
const codes = (findings: Finding[]) => findings.map((f) => `${f.channel} ${f.code}`);

describe('rule:sms-content', () => {
  it('refuses free text on each SMS channel with a finding that says it needs an approved template', () => {
    const findings = run({ type: 'text', text: '会员日全场8折' }, [
      'channel:sms-aliyun',
      'channel:wecom',
      'channel:sms-tencent',
    ]);
    expect(codes(findings)).toEqual([
      'channel:sms-aliyun SMS_TEMPLATE_REQUIRED',
      'channel:sms-tencent SMS_TEMPLATE_REQUIRED',
    ]);
    expect(findings[0]!.level).toBe('block');
    expect(findings[0]!.message).toContain('pre-approved SMS templates');
  });

  it('passes a mapped template within one segment', () => {
    expect(run({ type: 'template', subject: 'promo', text: 'name: {{name}}' })).toEqual([]);
    expect(run({ type: 'template', subject: 'SMS_2', text: 'code: 1234' })).toEqual([]);
  });

  it('finds a named variable without a line, and a line naming no variable', () => {
    const findings = run({ type: 'template', subject: 'promo', text: 'nmae: {{name}}' });
    expect(codes(findings)).toEqual([
      'channel:sms-aliyun SMS_TEMPLATE_PARAM_MISSING',
      'channel:sms-aliyun SMS_TEMPLATE_PARAM_UNKNOWN',
    ]);
    expect(findings[0]!.message).toContain('${name}');
    expect(findings[1]!.message).toContain('"nmae"');
  });

  it('counts positional parameters on Tencent Cloud', () => {
    expect(
      run({ type: 'template', subject: 'promo', text: '' }, ['channel:sms-tencent']).map((f) => f.code),
    ).toEqual(['SMS_TEMPLATE_PARAM_MISSING']);
    expect(
      run({ type: 'template', subject: 'promo', text: 'a: 1\nb: 2' }, ['channel:sms-tencent']).map(
        (f) => f.code,
      ),
    ).toEqual(['SMS_TEMPLATE_PARAM_UNKNOWN']);
    expect(run({ type: 'template', subject: 'promo', text: 'name: 王' }, ['channel:sms-tencent'])).toEqual(
      [],
    );
  });

  it('blocks an empty subject and malformed lines; warns on a template without known text', () => {
    expect(run({ type: 'template', subject: ' ', text: 'a: 1' }).map((f) => f.code)).toEqual([
      'SMS_TEMPLATE_MISSING',
    ]);
    expect(run({ type: 'template', subject: 'promo', text: 'just text' }).map((f) => f.code)).toEqual([
      'SMS_TEMPLATE_PARAMS_MALFORMED',
    ]);
    const unknown = run({ type: 'template', subject: 'coded', text: 'a: 1' });
    expect(unknown.map((f) => [f.code, f.level])).toEqual([['SMS_TEMPLATE_UNKNOWN', 'warn']]);
  });

  it('counts the sign name and the longest value, and shows the segments past 70', () => {
    // 【阿里云】 (5) + 您好，会员日全场8折，回复TD退订 (17) + name.
    const content = { type: 'template' as const, subject: 'promo', text: 'name: {{name}}' };
    expect(run(content, undefined, { longestValues: { name: 48 } })).toEqual([]);
    const long = run(content, undefined, { longestValues: { name: 49 } });
    expect(long.map((f) => [f.code, f.level])).toEqual([['SMS_SEGMENTS', 'warn']]);
    expect(long[0]!.message).toContain('71 characters');
    expect(long[0]!.message).toContain('billed as 2 SMS');
    expect(run(content, undefined, { longestValues: { name: 479 } }).map((f) => f.code)).toEqual([
      'SMS_TOO_LONG',
    ]);
  });

  it('counts {{unsubscribe}} at its rendered length before the start', () => {
    const short = smsContent({ unsubscribeLinkLength: 10 });
    const long = smsContent({ unsubscribeLinkLength: 60 });
    const content = { type: 'template' as const, subject: 'bare', text: 'name: 王\nlink: {{unsubscribe}}' };
    const ctx = { channels: ['channel:sms-aliyun'], channelLimits };
    expect(short.checkContent(content, ctx)).toEqual([]);
    expect(long.checkContent(content, ctx).map((f) => f.code)).toEqual(['SMS_SEGMENTS']);
  });

  it('warns when a marketing template has no opt-out, not on verification codes', () => {
    const findings = run({ type: 'template', subject: 'bare', text: 'name: 王\nlink: https://a.cn' });
    expect(findings.map((f) => [f.code, f.level])).toEqual([['SMS_NO_OPT_OUT', 'warn']]);
    expect(run({ type: 'template', subject: 'bare', text: 'name: 王\nlink: 回复TD退订' })).toEqual([]);
    expect(run({ type: 'template', subject: 'code', text: 'code: 1234' })).toEqual([]);
  });

  it('asks to revise 【】 in a value, which carriers read as a second sign name', () => {
    const findings = run({ type: 'template', subject: 'promo', text: 'name: 【限时】' });
    expect(findings.map((f) => [f.code, f.level])).toEqual([['SMS_BRACKETS', 'revise']]);
  });

  it('says nothing for one distinct value (checkTemplate) nor for channels without an SMS profile', () => {
    expect(run({ type: 'text', text: 'x' }, ['channel:sms-aliyun'], { variable: 'name' })).toEqual([]);
    expect(run({ type: 'text', text: 'x' }, ['channel:wecom'])).toEqual([]);
  });

  it('bills segments as carriers do', () => {
    expect([0, 1, 70, 71, 134, 135, 201, 202].map(smsSegments)).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
  });
});
