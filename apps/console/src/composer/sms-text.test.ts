// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Aliyun templates write their variables as ${name}
import { describe, expect, it } from 'vitest';
import type { ContentDraft } from './draft.js';
import { renderTemplate } from './render-template.js';
import { billedSms, type SmsProfileView, templateLines } from './sms-text.js';

const profile: SmsProfileView = {
  signName: '群发科技',
  templates: [
    {
      name: '会员日',
      id: 'SMS_100',
      text: '${name}您好，会员日${discount}折，回复TD退订',
      kind: 'marketing',
      variables: ['name', 'discount'],
    },
    { name: '取件', id: '1234567', text: '您的快递{1}已到{2}', kind: 'notification', variables: ['1', '2'] },
    { name: '旧模板', id: 'SMS_9', text: null, kind: null, variables: [] },
  ],
};
const variant = (v: Partial<ContentDraft>): ContentDraft => ({
  key: 'A',
  type: 'template',
  subject: '',
  text: '',
  ...v,
});
const sample = (s: string) => renderTemplate(s, { name: '王芳', attributes: {} });

describe('what an SMS channel bills', () => {
  it('is the sign name and the approved text filled with the values rendered for the sample', () => {
    const billed = billedSms(
      variant({ subject: '会员日', text: 'name: {{name}}\ndiscount: 8' }),
      profile,
      sample,
    );
    expect(billed.text).toBe('【群发科技】王芳您好，会员日8折，回复TD退订');
    expect(billed.template?.id).toBe('SMS_100');
    // Positional templates fill by order; a template named by its provider id is found too.
    expect(billedSms(variant({ subject: '1234567', text: '1: SF123\n2: 东门' }), profile, sample).text).toBe(
      '【群发科技】您的快递SF123已到东门',
    );
  });

  it('counts free text as written, and only the sign when the template text is unknown', () => {
    expect(billedSms(variant({ type: 'text', text: '{{name}}，会员日' }), profile, sample)).toEqual({
      text: '【群发科技】王芳，会员日',
      template: null,
    });
    expect(billedSms(variant({ subject: '旧模板', text: 'x: 1' }), profile, sample).text).toBe(
      '【群发科技】',
    );
  });
});

describe('the lines a picked template asks for', () => {
  it('has one line per variable and keeps the values already written', () => {
    expect(templateLines(profile.templates[0]!, 'discount: 8\nother: x')).toBe('name: \ndiscount: 8');
    expect(templateLines(profile.templates[1]!, 'free text')).toBe('1: \n2: ');
  });
});
