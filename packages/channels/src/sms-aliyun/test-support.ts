import { type ChannelPlugin, MemoryPluginState, type OutboundBatch, type SendContext } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { smsAliyun } from './channel.js';
import { type FakeAliyun, type FakeAliyunOptions, startFakeAliyun } from './fake-server.js';
import type { SmsAliyunOptions } from './options.js';

export const ACCESS_KEY_ID = 'LTAI5tTestAccessKey';
export const ACCESS_KEY_SECRET = 'testAccessKeySecret0123';
export const SIGN = '群发科技';
export const TEMPLATE = 'SMS_465950001';
export const CALLBACK_TOKEN = 'aliyun-push-token-0123456789';

/** A fake Aliyun and a channel pointed at it, sharing one clock and one plugin state. */
export async function aliyunFixture(
  fake: Partial<FakeAliyunOptions> = {},
  channel: Partial<SmsAliyunOptions> = {},
) {
  let now = new Date('2025-03-10T02:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  const server: FakeAliyun = await startFakeAliyun({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    signNames: [SIGN],
    templates: { [TEMPLATE]: ['name', 'code'], SMS_465950002: [] },
    callbackToken: CALLBACK_TOKEN,
    now: clock.now,
    ...fake,
  });
  const sms: ChannelPlugin = smsAliyun({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    signName: SIGN,
    endpoint: server.endpoint,
    protocol: 'http',
    timeoutMs: 1000,
    callbackToken: CALLBACK_TOKEN,
    ...channel,
  });
  const state = new MemoryPluginState({ now: clock.now });
  const ctx: SendContext = testChannelContext({ now: clock.now, state });
  return { server, sms, ctx, state, clock };
}

/** `n` mainland numbers +8613900000001… */
export const phones = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `+86139${String(from + i).padStart(8, '0')}`);

/** A batch of template messages; `text(i)` gives the i-th message's variable lines. */
export function templateBatch(
  addresses: string[],
  text: (i: number) => string = () => 'name: 会员\ncode: 8888',
  key = 'batch-1',
  templateId = TEMPLATE,
): OutboundBatch {
  return {
    batchId: key,
    campaignId: 'c-1',
    account: null,
    idempotencyKey: key,
    messages: addresses.map((address, i) => ({
      id: `d-${i + 1}`,
      address,
      content: { type: 'template', subject: templateId, text: text(i) },
    })),
  };
}
