import { MemoryPluginState, MemoryRateLimiter } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type WechatPersonalChannel, wechatPersonal } from './channel.js';
import { type HealthSignals, healthScore } from './health.js';
import { mockWechat } from './mock-wechat.test-support.js';

const quiet: HealthSignals = {
  devicesLoggedIn: null,
  ipChanges7d: null,
  forwardRatio: null,
  friendDeletions24h: null,
  friends: null,
  reports30d: null,
  paymentFlagged: null,
  cooldowns7d: 0,
  sentToday: 0,
  failedToday: 0,
  budgetToday: 350,
};

describe('health score', () => {
  it('is 100 with nothing known against the account', () => {
    expect(healthScore(quiet)).toEqual({ score: 100, parts: [] });
  });

  it('falls with each signal, each capped', () => {
    const score = (s: Partial<HealthSignals>) => healthScore({ ...quiet, ...s }).score;
    expect(score({ cooldowns7d: 1 })).toBe(80);
    expect(score({ cooldowns7d: 9 })).toBe(40);
    expect(score({ sentToday: 5, failedToday: 5 })).toBe(80);
    // Fewer than 10 sends say nothing about a failure rate.
    expect(score({ sentToday: 1, failedToday: 2 })).toBe(100);
    expect(score({ sentToday: 350 })).toBe(90);
    expect(score({ friendDeletions24h: 2, friends: 98 })).toBe(80);
    expect(score({ devicesLoggedIn: 1 })).toBe(100);
    expect(score({ devicesLoggedIn: 3 })).toBe(80);
    expect(score({ ipChanges7d: 5 })).toBe(90);
    expect(score({ forwardRatio: 0.5 })).toBe(90);
    expect(score({ reports30d: 1 })).toBe(85);
    expect(score({ paymentFlagged: true })).toBe(80);
    expect(score({ cooldowns7d: 3, reports30d: 3, paymentFlagged: true })).toBe(0);
  });
});

const open: WechatPersonalChannel[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('health score of an account', () => {
  it('moves with friend deletions seen by the puppet and signals an operator enters; a low score pauses it', async () => {
    const friends = Array.from({ length: 20 }, (_, i) => `wxid_f${i}`);
    const mock = mockWechat({ wx1: { friends, autoLogin: true } });
    let now = new Date('2026-03-02T02:00:00Z');
    const channel = wechatPersonal({
      puppets: { mock: mock.factory },
      state: new MemoryPluginState(),
      limiter: new MemoryRateLimiter(),
      now: () => now,
    });
    open.push(channel);
    await channel.admin.add({ id: 'wx1', workspaceId: '1', puppet: 'mock' });
    const events = await channel.admin.loginEvents('1', 'wx1');
    await channel.admin.login('1', 'wx1');
    for await (const event of events) if (event.type === 'login') break;
    await new Promise((r) => setTimeout(r, 20));
    let view = await channel.admin.get('1', 'wx1');
    expect(view.health.score).toBe(100);
    expect(view.signals.friends).toBe(20);

    await mock.unfriend('wx1', 'wxid_f0');
    view = await channel.admin.syncFriends('1', 'wx1');
    expect(view.signals).toMatchObject({ friends: 19, friendDeletions24h: 1 });
    expect(view.health.score).toBe(70);
    expect(view.health.parts.map((p) => p.signal)).toEqual(['friend_deletions']);

    view = await channel.admin.reportSignals('1', 'wx1', { reports30d: 2 });
    expect(view.health.score).toBe(40);
    expect(view.status).toBe('paused');
    expect(view.reason).toBe(
      'health score 40 below 50: 1 friends deleted the account in 24 h; 2 reports in 30 days',
    );
    expect(await channel.accountReady!('wx1', { workspaceId: '1', count: 1 }, {} as never)).toMatchObject({
      ready: false,
    });
    // A day later the deletion no longer counts; the account sends again.
    now = new Date(now.getTime() + 25 * 3_600_000);
    view = await channel.admin.get('1', 'wx1');
    expect(view.health.score).toBe(70);
    expect(view.status).toBe('logged_in');
    await expect(channel.admin.reportSignals('1', 'wx1', { forwardRatio: 2 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
