import { type ChannelPlugin, MemoryPluginState, type SendContext } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { smsTencent } from './channel.js';
import { type FakeTencent, type FakeTencentOptions, startFakeTencent } from './fake-server.js';
import type { SmsTencentOptions } from './options.js';

export const SECRET_ID = 'AKIDtestSecretId0123';
export const SECRET_KEY = 'testSecretKey0123456789';
export const APP_ID = '1400123456';
export const SIGN = '群发科技';
export const TEMPLATE = '1876543';
export const CALLBACK_TOKEN = 'tencent-callback-token-0123';

/** A fake Tencent Cloud SMS and a channel pointed at it (the fake's clock is the real one: TC3 timestamps are checked). */
export async function tencentFixture(
  fake: Partial<FakeTencentOptions> = {},
  channel: Partial<SmsTencentOptions> = {},
) {
  const server: FakeTencent = await startFakeTencent({
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    smsSdkAppId: APP_ID,
    signNames: [SIGN],
    templates: { [TEMPLATE]: 2, '1876544': 0 },
    callbackToken: CALLBACK_TOKEN,
    ...fake,
  });
  const sms: ChannelPlugin = smsTencent({
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    smsSdkAppId: APP_ID,
    signName: SIGN,
    endpoint: server.endpoint,
    protocol: 'http://',
    timeoutSec: 1,
    callbackToken: CALLBACK_TOKEN,
    ...channel,
  });
  const state = new MemoryPluginState();
  const ctx: SendContext = testChannelContext({ state });
  return { server, sms, ctx, state };
}
