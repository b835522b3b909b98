// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Aliyun templates write their variables as ${name}
import { describe, expect, it } from 'vitest';
import { smsAliyun } from '../sms-aliyun/channel.js';
import { smsTencent } from '../sms-tencent/channel.js';

const aliyun = { accessKeyId: 'id', accessKeySecret: 'secret', signName: '群发科技' };
const tencent = { secretId: 'id', secretKey: 'key', smsSdkAppId: '1400000001', signName: '群发科技' };

describe('SMS template registry (channel options → limits.sms)', () => {
  it('puts the sign name and the templates, ids or texts, on the limits the content rules read', () => {
    const channel = smsAliyun({
      ...aliyun,
      templates: {
        会员日: { id: 'SMS_100', text: '${name}您好，回复TD退订', kind: 'marketing' },
        验证码: 'SMS_200',
      },
    });
    expect(channel.limits.sms).toEqual({
      signName: '群发科技',
      templates: {
        会员日: { id: 'SMS_100', text: '${name}您好，回复TD退订', kind: 'marketing' },
        验证码: { id: 'SMS_200' },
      },
    });
    const byCode = smsTencent({ ...tencent, templates: { '1001': { text: '{1}您好' } } });
    expect(byCode.limits.sms?.templates).toEqual({ '1001': { id: '1001', text: '{1}您好' } });
  });

  it('refuses a sign name written with 【】, an empty text, and a Tencent id that is not digits', () => {
    expect(() => smsAliyun({ ...aliyun, signName: '【群发科技】' })).toThrow(/signName.*adds 【】/);
    expect(() => smsAliyun({ ...aliyun, templates: { a: { id: 'SMS_1', text: '' } } })).toThrow(/templates/);
    expect(() => smsTencent({ ...tencent, templates: { a: { id: 'SMS_1', text: '{1}' } } })).toThrow(
      /digits/,
    );
  });
});
