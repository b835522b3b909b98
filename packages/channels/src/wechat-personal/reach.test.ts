import { MemoryPluginState, MemoryRateLimiter, type ReachChange } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type WechatPersonalChannel, wechatPersonal } from './channel.js';
import { mockWechat } from './mock-wechat.test-support.js';
import { FRIEND_SWEEP_MS } from './sessions.js';

const open: WechatPersonalChannel[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const summary = (changes: ReachChange[]) =>
  changes.map((c) => `${c.account} ${c.change} ${c.identity.kind}:${c.identity.value}`).sort();

describe('channel:wechat-personal friend lists as relations (a sweep per account)', () => {
  it('reports friends as relations, a friend who deleted the account as ended, for that account only, across restarts', async () => {
    const worlds = {
      wx1: { friends: ['wxid_a', 'wxid_b', 'wxid_c'], strangers: ['wxid_s'], autoLogin: true },
      wx2: { friends: ['wxid_a', 'wxid_d'], strangers: [] as string[], autoLogin: true },
    };
    const mock = mockWechat(worlds);
    let now = new Date('2026-03-02T02:00:00Z');
    const state = new MemoryPluginState({ now: () => now });
    const start = async () => {
      const channel = wechatPersonal({
        puppets: { mock: mock.factory },
        state,
        limiter: new MemoryRateLimiter(),
        now: () => now,
      });
      open.push(channel);
      return channel;
    };
    const login = async (channel: WechatPersonalChannel, id: string) => {
      const events = await channel.admin.loginEvents('1', id);
      await channel.admin.login('1', id);
      for await (const event of events) if (event.type === 'login') break;
      await new Promise((r) => setTimeout(r, 20));
    };
    const ctx = testChannelContext({ now: () => now });
    const channel = await start();
    await channel.admin.add({ id: 'wx1', workspaceId: '1', puppet: 'mock' });
    await channel.admin.add({ id: 'wx2', workspaceId: '1', puppet: 'mock' });
    await login(channel, 'wx1');
    await login(channel, 'wx2');
    // Read at login: every friend of each account, never a stranger.
    expect(summary(await channel.pollReach!(ctx))).toEqual([
      'wx1 added wxid:wxid_a',
      'wx1 added wxid:wxid_b',
      'wx1 added wxid:wxid_c',
      'wx2 added wxid:wxid_a',
      'wx2 added wxid:wxid_d',
    ]);
    expect(await channel.pollReach!(ctx)).toEqual([]);

    // wxid_a deletes wx1, and is still wx2's friend; nothing is read again before the hour is up.
    await mock.unfriend('wx1', 'wxid_a');
    now = new Date(now.getTime() + FRIEND_SWEEP_MS - 1000);
    expect(await channel.pollReach!(ctx)).toEqual([]);
    now = new Date(now.getTime() + 1000);
    // Every friend again (a contact imported since gets its relation), and the one who left.
    expect(summary(await channel.pollReach!(ctx))).toEqual([
      'wx1 added wxid:wxid_b',
      'wx1 added wxid:wxid_c',
      'wx1 removed_by_customer wxid:wxid_a',
      'wx2 added wxid:wxid_a',
      'wx2 added wxid:wxid_d',
    ]);

    // A restart: the list read last time is in the shared state, so a deletion while no process
    // ran is seen; wx1, not logged in here now, is not read and none of its relations ends.
    await channel.admin.logout('1', 'wx1');
    await channel.close();
    worlds.wx2 = { ...worlds.wx2, friends: ['wxid_a'], strangers: ['wxid_d'] };
    const again = await start();
    await login(again, 'wx2');
    expect(summary(await again.pollReach!(ctx))).toEqual([
      'wx2 added wxid:wxid_a',
      'wx2 removed_by_customer wxid:wxid_d',
    ]);
    now = new Date(now.getTime() + FRIEND_SWEEP_MS);
    expect(summary(await again.pollReach!(ctx))).toEqual(['wx2 added wxid:wxid_a']);
  });
});
