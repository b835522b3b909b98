import {
  createEngine,
  createRegistry,
  FakeClock,
  MemoryEventBus,
  MemoryPluginState,
  MemoryQueue,
  MemoryRateLimiter,
  MemoryStore,
} from '@qunfa/core';
import { makeCampaign, makeContact } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type WechatPersonalChannel, wechatPersonal } from './channel.js';
import type { LoginEvent } from './login-events.js';
import { type MockAccountWorld, mockWechat } from './mock-wechat.test-support.js';

const open: WechatPersonalChannel[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** One "process": a channel over the shared state and limiter, with its own puppets. */
function processWith(
  mock: ReturnType<typeof mockWechat>,
  shared: { state: MemoryPluginState; limiter: MemoryRateLimiter },
  now: () => Date,
) {
  const channel = wechatPersonal({ puppets: { mock: mock.factory }, ...shared, now, sleep: async () => {} });
  open.push(channel);
  return channel;
}

describe('personal WeChat accounts', () => {
  it('streams the QR code, then the login; a logout and a re-login survive a restart', async () => {
    const worlds: Record<string, MockAccountWorld> = { wx1: { friends: ['wxid_a'] } };
    const mock = mockWechat(worlds);
    const shared = { state: new MemoryPluginState(), limiter: new MemoryRateLimiter() };
    const now = () => new Date('2026-03-02T02:00:00Z');
    const first = processWith(mock, shared, now);
    await first.admin.add({ id: 'wx1', workspaceId: '1', label: '客服 1 号', puppet: 'mock' });
    await expect(first.admin.add({ id: 'wx1', workspaceId: '1', puppet: 'mock' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(first.admin.add({ id: 'wx2', workspaceId: '1', puppet: 'padlocal' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(first.admin.login('2', 'wx1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await first.admin.login('1', 'wx1')).status).toBe('waiting_for_scan');
    const stream = await first.admin.loginEvents('1', 'wx1');
    const seen: LoginEvent[] = [];
    mock.scanAndLogin('wx1', 'https://login.weixin.qq.com/l/abc');
    for await (const event of stream) seen.push(event);
    expect(seen.map((e) => (e.type === 'scan' ? `${e.type}:${e.status}:${e.qrcode}` : e.type))).toEqual([
      'scan:waiting:https://login.weixin.qq.com/l/abc',
      'scan:scanned:https://login.weixin.qq.com/l/abc',
      'login',
    ]);
    await tick();
    const view = await first.admin.get('1', 'wx1');
    expect(view).toMatchObject({
      status: 'logged_in',
      selfId: 'wxid_self_wx1',
      label: '客服 1 号',
      warmingUp: true,
    });
    expect(await first.admin.list('2')).toEqual([]);

    // A restart: the puppet resumes its session, and the account is logged in again by itself.
    await first.close();
    worlds.wx1!.autoLogin = true;
    const second = processWith(mock, shared, now);
    await second.pollInbound!({} as never);
    await tick();
    expect((await second.admin.get('1', 'wx1')).status).toBe('logged_in');
    expect(second.accounts).toEqual(['wx1']);

    // Logged out by an operator: a restart leaves it logged out.
    expect((await second.admin.logout('1', 'wx1')).status).toBe('logged_out');
    await second.close();
    const third = processWith(mock, shared, now);
    await third.pollInbound!({} as never);
    await tick();
    expect((await third.admin.get('1', 'wx1')).status).toBe('logged_out');
    expect(await third.accountReady!('wx1', { workspaceId: '1', count: 1 }, {} as never)).toMatchObject({
      ready: false,
    });
  });

  it("holds one account's limits across two workers sharing the rate limiter", async () => {
    const friends = Array.from({ length: 10 }, (_, i) => `wxid_f${i}`);
    const mock = mockWechat({ wx1: { friends, autoLogin: true } });
    const clock = new FakeClock('2026-03-02T02:00:00Z');
    const shared = { state: new MemoryPluginState(), limiter: new MemoryRateLimiter() };
    const setupChannel = processWith(mock, shared, () => clock.now());
    await setupChannel.admin.add({ id: 'wx1', workspaceId: '1', puppet: 'mock' });
    await setupChannel.admin.login('1', 'wx1');
    await tick();
    await setupChannel.admin.setPolicy('1', 'wx1', {
      recipientsPerSend: 2,
      massSendsPerDay: 3,
      warmUp: { days: 0, dailyRecipients: 0 },
    });
    await setupChannel.close();

    const store = new MemoryStore();
    const queue = new MemoryQueue({ clock });
    const bus = new MemoryEventBus();
    const engineLimiter = new MemoryRateLimiter();
    const workers = await Promise.all(
      ['worker-a', 'worker-b'].map(async (workerId) => {
        const channel = processWith(mock, shared, () => clock.now());
        await channel.pollInbound!({} as never);
        const registry = createRegistry([channel]);
        return createEngine({ store, queue, bus, limiter: engineLimiter, clock, registry, workerId });
      }),
    );
    await tick();
    for (const [i, f] of friends.entries()) {
      await store.addContact(makeContact({ id: String(i + 1), identities: [{ kind: 'wxid', value: f }] }));
    }
    await store.addCampaign(makeCampaign({ id: '1', channelPlan: [{ channel: 'channel:wechat-personal' }] }));
    await workers[0]!.start({ workspaceId: '1', campaignId: '1', actor: { kind: 'user', id: '1' } });
    for (let round = 0; round < 5; round++) {
      await workers[0]!.tick();
      const jobs = queue.takeDue();
      if (jobs.length === 0) break;
      // The two workers take the due batches at once, alternately.
      await Promise.all(jobs.map((job, i) => workers[i % 2]!.processBatch(job)));
    }
    // Three mass sends of two recipients today, whichever worker made them.
    expect(mock.sends).toHaveLength(6);
    const waiting = store.deliveries('1').filter((d) => d.state === 'queued');
    expect(waiting).toHaveLength(4);
    expect(store.deliveries('1').filter((d) => d.state === 'failed')).toHaveLength(0);
  });
});
