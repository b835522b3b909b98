import { isQunfaError } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { wechatOa } from './channel.js';
import type { WechatOaOptions } from './options.js';

const valid: WechatOaOptions = {
  appId: 'wx0123456789abcdef',
  appSecret: 's3cr3t-value',
  accountType: 'service',
};

function refusal(options: unknown): string {
  try {
    wechatOa(options as WechatOaOptions);
  } catch (error) {
    if (isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected PLUGIN_OPTIONS_INVALID');
}

describe('wechatOa options', () => {
  it('has the documented defaults', () => {
    const oa = wechatOa(valid);
    expect(oa.name).toBe('channel:wechat-oa');
    expect(oa.limits).toEqual({
      maxRecipientsPerSend: 10_000,
      contentTypes: ['text', 'news', 'image', 'voice', 'video', 'template'],
      receipts: false,
      recall: false,
      idempotencyKeys: true,
      platformJobs: true,
      // No callback configured: nothing is reported per follower, not even template messages.
      receiptStates: { text: [], news: [], image: [], voice: [], video: [], template: [] },
    });
    expect(oa.config).toMatchObject({
      baseUrl: 'https://api.weixin.qq.com',
      tokenEndpoint: 'stable_token',
      massSendProtection: false,
      sendIgnoreReprint: false,
    });
    expect(oa.identityKinds).toEqual(['oa_openid']);
    expect(
      oa.address([
        { kind: 'unionid', value: 'u1' },
        { kind: 'oa_openid', value: 'o1' },
      ]),
    ).toBe('o1');
  });

  it('names the bad field and never echoes a secret', () => {
    expect(refusal({ ...valid, appId: 'not-an-appid' })).toContain('"appId"');
    expect(refusal({ ...valid, accountType: 'enterprise' })).toContain('"accountType"');
    const bad = refusal({ ...valid, callback: { token: 'tok', encodingAESKey: 'short-s3cr3t' } });
    expect(bad).toContain('"callback.encodingAESKey"');
    expect(bad).not.toContain('short-s3cr3t');
    expect(refusal({ ...valid, appSecret: '' })).not.toContain('s3cr3t');
    expect(refusal({ ...valid, extra: 1 })).toContain('extra');
  });
});
