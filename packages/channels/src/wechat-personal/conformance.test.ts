import { MemoryPluginState, MemoryRateLimiter } from '@qunfa/core';
import { describeChannelConformance } from '@qunfa/core/testing';
import { afterAll, expect, it } from 'vitest';
import { type WechatPersonalChannel, wechatPersonal } from './channel.js';
import { mockWechat } from './mock-wechat.test-support.js';

const friends = Array.from({ length: 200 }, (_, i) => `wxid-${i}`);
const mock = mockWechat({ wx1: { friends, autoLogin: true } });
const made: WechatPersonalChannel[] = [];
afterAll(() => Promise.all(made.map((c) => c.close())));

/** A logged-in account past its warm-up, with budgets a full batch fits in. */
async function loggedInChannel(): Promise<WechatPersonalChannel> {
  const channel = wechatPersonal({
    puppets: { mock: mock.factory },
    state: new MemoryPluginState(),
    limiter: new MemoryRateLimiter(),
    sleep: async () => {},
  });
  made.push(channel);
  await channel.admin.add({ id: 'wx1', workspaceId: '1', puppet: 'mock' });
  await channel.admin.login('1', 'wx1');
  await new Promise((resolve) => setTimeout(resolve, 20));
  await channel.admin.setPolicy('1', 'wx1', {
    warmUp: { days: 0, dailyRecipients: 0 },
    budgets: { friendMessages: 1000, groupMessages: 0, images: 0 },
  });
  return channel;
}

describeChannelConformance('channel:wechat-personal on wechaty-puppet-mock', loggedInChannel, {
  unaddressable: [[{ kind: 'phone', value: '+8613800000000' }], [{ kind: 'wxid', value: ' ' }]],
});

it('the conformance batches reached the mock puppet', () => {
  expect(mock.sends.length).toBeGreaterThanOrEqual(203);
  expect(new Set(mock.sends.map((s) => s.account))).toEqual(new Set(['wx1']));
});
