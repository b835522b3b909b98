import { MemoryPluginState, type OutboundBatch, type SendContext } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { wechatOa } from './channel.js';
import { type FakeWechat, type FakeWechatOptions, startFakeWechat } from './fake-server.js';
import type { WechatOaOptions } from './options.js';

export const APP_ID = 'wx0123456789abcdef';
export const APP_SECRET = 'secret-0123456789';
export const PUSH_TOKEN = 'pushToken123';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** A fake account and a channel pointed at it, sharing one clock and one plugin state. */
export async function oaFixture(
  fake: Partial<FakeWechatOptions> = {},
  channel: Partial<WechatOaOptions> = {},
) {
  let now = new Date('2025-03-10T02:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  const server: FakeWechat = await startFakeWechat({
    appId: APP_ID,
    appSecret: APP_SECRET,
    accountType: 'service',
    callback: { token: PUSH_TOKEN },
    now: clock.now,
    ...fake,
  });
  const oa = wechatOa({
    appId: APP_ID,
    appSecret: APP_SECRET,
    accountType: fake.accountType ?? 'service',
    baseUrl: server.url,
    callback: fake.callback ?? { token: PUSH_TOKEN },
    busyBackoffMs: 1,
    ...channel,
  });
  const state = new MemoryPluginState({ now: clock.now });
  const ctx: SendContext = testChannelContext({ now: clock.now, state });
  return { server, oa, ctx, state, clock };
}

/** A batch of `openids` with one content. */
export function batchOf(
  openids: string[],
  content: OutboundBatch['messages'][number]['content'] = { type: 'text', text: '双十一会员日' },
  key = 'batch-1',
): OutboundBatch {
  return {
    batchId: key,
    campaignId: 'c-1',
    account: null,
    idempotencyKey: key,
    messages: openids.map((address, i) => ({ id: `d-${i + 1}`, address, content })),
  };
}

/** `n` followers `o-follower-0001`… on the fake account. */
export function addFollowers(server: FakeWechat, n: number, tagIds: number[] = []): string[] {
  return Array.from({ length: n }, (_, i) => {
    const openid = `oFollower${String(i + 1).padStart(20, '0')}`;
    server.account.addFollower(openid, { tagIds, unionid: `uUnion${i + 1}` });
    return openid;
  });
}

/** What `send` answers for deliveries `ids` of WeChat's job `msgId`: sent by job, never alone. */
export function sentByJob(msgId: number, ids: string[]) {
  return ids.map((id) => ({ id, status: 'sent', providerMessageId: `${msgId}:${id}`, byJob: String(msgId) }));
}
