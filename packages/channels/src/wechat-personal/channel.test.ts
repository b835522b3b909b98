import { type Contact, MemoryPluginState, MemoryRateLimiter } from '@qunfa/core';
import { createTestEngine, makeContact, type TestEngine } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type WechatPersonalChannel, wechatPersonal } from './channel.js';
import { type MockAccountWorld, type MockWechat, mockWechat } from './mock-wechat.test-support.js';

const CHANNEL = 'channel:wechat-personal';
const FRIENDS = ['wxid_friend1', 'wxid_friend2', 'wxid_friend3'];
const GROUP = '1111@chatroom';
const LEFT_GROUP = '2222@chatroom';

const contact = (id: string, wxid: string, name = wxid): Contact =>
  makeContact({ id, name, identities: [{ kind: 'wxid', value: wxid }] });

const open: WechatPersonalChannel[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** The channel over the mock puppet, its clock the engine's, no pauses between messages. */
function setup(worlds: Record<string, MockAccountWorld>) {
  const mock = mockWechat(worlds);
  const state = new MemoryPluginState();
  const limiter = new MemoryRateLimiter();
  let t: TestEngine | undefined;
  const now = () => t?.clock.now() ?? new Date('2026-01-01T00:00:00Z');
  const channel = wechatPersonal({
    puppets: { mock: mock.factory },
    state,
    limiter,
    now,
    sleep: async () => {},
  });
  open.push(channel);
  t = createTestEngine({ plugins: [channel], start: '2026-03-02T02:00:00Z' });
  return { mock, channel, t, state, limiter };
}

async function loginAll(channel: WechatPersonalChannel, mock: MockWechat, ids: string[]) {
  for (const id of ids) {
    await channel.admin.add({ id, workspaceId: '1', puppet: 'mock' });
    await channel.admin.login('1', id);
    const events = await channel.admin.loginEvents('1', id);
    mock.scanAndLogin(id);
    for await (const event of events) if (event.type === 'login') break;
  }
  // Accounts past their warm-up, so the default policy applies in full.
  for (const id of ids) await channel.admin.setPolicy('1', id, { warmUp: { days: 0, dailyRecipients: 0 } });
}

const campaign = { id: '1', channelPlan: [{ channel: CHANNEL }] };
const ref = { workspaceId: '1', campaignId: '1' };

describe('channel:wechat-personal through the engine and wechaty-puppet-mock', () => {
  it('sends a campaign to friends and groups; a left group and a stranger fail once, not retried', async () => {
    const { mock, channel, t } = setup({
      wx1: {
        friends: FRIENDS,
        strangers: ['wxid_stranger'],
        groups: [
          { id: GROUP, topic: '会员群', members: FRIENDS },
          { id: LEFT_GROUP, topic: '旧群', members: FRIENDS, member: false },
        ],
      },
    });
    await loginAll(channel, mock, ['wx1']);
    await t.addContacts([
      ...FRIENDS.map((f, i) => contact(String(i + 1), f, `朋友${i + 1}`)),
      contact('4', GROUP, '会员群'),
      contact('5', LEFT_GROUP, '旧群'),
      contact('6', 'wxid_stranger'),
    ]);
    await t.addCampaign(campaign);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain({ advance: true });
    expect(mock.sends.map((s) => [s.to, s.text])).toEqual([
      ['wxid_friend1', 'hello 朋友1'],
      ['wxid_friend2', 'hello 朋友2'],
      ['wxid_friend3', 'hello 朋友3'],
      [GROUP, 'hello 会员群'],
    ]);
    const deliveries = t.store.deliveries('1');
    expect(deliveries.map((d) => d.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'failed', 'failed']);
    expect(deliveries[4]?.lastError).toMatch(/not in this group/);
    expect(deliveries[5]?.lastError).toMatch(/not a friend/);
    for (const d of deliveries.slice(4)) expect(t.store.attempts(d.id)).toHaveLength(1);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    const [view] = await channel.admin.list('1');
    expect(view?.usage).toMatchObject({ massSends: 1, friendMessages: 3, groupMessages: 1, sent: 4 });
  });

  it('stops an account at once on "操作频繁", cools it down 4 h and moves its recipients to another', async () => {
    const world = { friends: FRIENDS.concat('wxid_friend4') };
    const { mock, channel, t } = setup({ wx1: world, wx2: world });
    await loginAll(channel, mock, ['wx1', 'wx2']);
    mock.failFrom('wx1', 1, () => new Error('发送失败：操作频繁，请稍后再试'));
    await t.addContacts(world.friends.map((f, i) => contact(String(i + 1), f)));
    await t.addCampaign(campaign);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    // One message went out on wx1; the risk stopped it there: no further call on wx1.
    expect(mock.sends.map((s) => [s.account, s.to])).toEqual([
      ['wx1', 'wxid_friend1'],
      ['wx2', 'wxid_friend2'],
      ['wx2', 'wxid_friend3'],
      ['wx2', 'wxid_friend4'],
    ]);
    expect(t.store.deliveries('1').every((d) => d.state === 'sent')).toBe(true);
    const wx1 = await channel.admin.get('1', 'wx1');
    expect(wx1.status).toBe('cooling');
    expect(wx1.reason).toMatch(/操作频繁/);
    expect(wx1.cooldownUntil!.getTime() - t.clock.now().getTime()).toBe(4 * 3_600_000);
    expect(wx1.signals.cooldowns7d).toBe(1);
    const [health] = await t.store.accountHealth(CHANNEL);
    expect(health).toMatchObject({ account: 'wx1', state: 'cooling' });
    // While it cools down, the channel says wx1 is not ready.
    expect(await channel.accountReady!('wx1', { workspaceId: '1', count: 1 }, {} as never)).toMatchObject({
      ready: false,
      reason: 'account_cooldown',
    });
  });

  it('waits when the only account is stopped by a risk signal, and sends after the cool-down', async () => {
    const { mock, channel, t } = setup({ wx1: { friends: FRIENDS } });
    await loginAll(channel, mock, ['wx1']);
    mock.failFrom('wx1', 0, () => new Error('操作过于频繁'));
    await t.addContacts(FRIENDS.map((f, i) => contact(String(i + 1), f)));
    await t.addCampaign(campaign);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(mock.sends).toHaveLength(0);
    expect(t.store.deliveries('1').map((d) => d.state)).toEqual(['queued', 'queued', 'queued']);
    mock.failFrom('wx1', Number.POSITIVE_INFINITY, () => new Error('never'));
    await t.clock.advance(4 * 3_600_000);
    await t.drain();
    expect(mock.sends.map((s) => s.to)).toEqual(FRIENDS);
  });

  it('holds the account to its policy: recipients a send, mass sends a day, text length', async () => {
    const friends = Array.from({ length: 6 }, (_, i) => `wxid_f${i}`);
    const { mock, channel, t } = setup({ wx1: { friends } });
    await loginAll(channel, mock, ['wx1']);
    await channel.admin.setPolicy('1', 'wx1', {
      recipientsPerSend: 2,
      massSendsPerDay: 2,
      maxTextLength: 10,
    });
    await t.addContacts(friends.map((f, i) => contact(String(i + 1), f)));
    await t.addCampaign({
      ...campaign,
      variants: [{ id: '101', key: 'A', weight: 1, content: { type: 'text', text: '早安' } }],
    });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    // Two mass sends of at most two recipients today; the rest waits for tomorrow.
    expect(mock.sends).toHaveLength(4);
    const view = await channel.admin.get('1', 'wx1');
    expect(view.usage.massSends).toBe(2);
    expect(await channel.accountReady!('wx1', { workspaceId: '1', count: 1 }, {} as never)).toMatchObject({
      ready: false,
      reason: 'quota_reached',
    });
    await expect(channel.admin.setPolicy('1', 'wx1', { maxTextLength: 5000 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    // The next day in Asia/Shanghai starts at 16:00 UTC.
    await t.clock.advance(14 * 3_600_000);
    await t.drain();
    expect(mock.sends).toHaveLength(6);
    expect(t.store.deliveries('1').every((d) => d.state === 'sent' && d.attempts === 1)).toBe(true);
  });

  it('holds a new account to its warm-up cap', async () => {
    const friends = Array.from({ length: 5 }, (_, i) => `wxid_f${i}`);
    const { mock, channel, t } = setup({ wx1: { friends } });
    await channel.admin.add({ id: 'wx1', workspaceId: '1', puppet: 'mock' });
    await channel.admin.login('1', 'wx1');
    mock.scanAndLogin('wx1');
    await new Promise((r) => setTimeout(r, 20));
    await channel.admin.setPolicy('1', 'wx1', { warmUp: { days: 7, dailyRecipients: 3 } });
    expect((await channel.admin.get('1', 'wx1')).warmingUp).toBe(true);
    await t.addContacts(friends.map((f, i) => contact(String(i + 1), f)));
    await t.addCampaign(campaign);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(mock.sends).toHaveLength(3);
    const waiting = t.store.deliveries('1').filter((d) => d.state === 'queued');
    expect(waiting).toHaveLength(2);
  });

  it('rejects text past the policy and content it cannot send; an image counts against the image budget', async () => {
    const { mock, channel, t } = setup({ wx1: { friends: FRIENDS } });
    await loginAll(channel, mock, ['wx1']);
    await channel.admin.setPolicy('1', 'wx1', { maxTextLength: 4 });
    const ctx = { signal: new AbortController().signal, now: () => t.clock.now() } as never;
    const outcomes = await channel.send(
      {
        batchId: 'b1',
        campaignId: 'c1',
        account: 'wx1',
        idempotencyKey: 'b1',
        messages: [
          { id: '1', address: 'wxid_friend1', content: { type: 'text', text: '五个字太长' } },
          { id: '2', address: 'wxid_friend2', content: { type: 'link', text: 'https://example.com' } },
          { id: '3', address: 'wxid_friend3', content: { type: 'image', text: 'https://example.com/a.png' } },
          { id: '4', address: 'wxid_friend1', content: { type: 'text', text: '四个字啊' } },
        ],
      },
      ctx,
    );
    expect(outcomes.map((o) => (o.status === 'failed' ? o.failure : o.status))).toEqual([
      'content_rejected',
      'content_rejected',
      'sent',
      'sent',
    ]);
    expect((await channel.admin.get('1', 'wx1')).usage).toMatchObject({
      images: 1,
      friendMessages: 2,
      sent: 2,
    });
  });

  it("turns friends' and group members' messages into inbound messages, not the account's own", async () => {
    const { mock, channel } = setup({
      wx1: { friends: FRIENDS, groups: [{ id: GROUP, topic: '群', members: FRIENDS }] },
    });
    await loginAll(channel, mock, ['wx1']);
    mock.say('wx1', 'wxid_friend1', '退订');
    mock.say('wx1', 'wxid_friend2', '几点开门？', GROUP);
    await mock.puppet('wx1').messageSendText('wxid_friend1', 'own message');
    await new Promise((r) => setTimeout(r, 20));
    const inbound = await channel.pollInbound!({} as never);
    expect(inbound.map((m) => [m.from.value, m.text, m.groupId ?? null, m.account])).toEqual([
      ['wxid_friend1', '退订', null, 'wx1'],
      ['wxid_friend2', '几点开门？', GROUP, 'wx1'],
    ]);
    expect(await channel.pollInbound!({} as never)).toEqual([]);
  });

  it('sends each recipient through an account that has them, says why on the delivery, and fails one nobody has', async () => {
    const { mock, channel, t } = setup({
      wx1: { friends: ['wxid_a', 'wxid_both'], strangers: ['wxid_c'] },
      wx2: {
        friends: ['wxid_both', 'wxid_c'],
        groups: [{ id: GROUP, topic: '会员群', members: ['wxid_c'] }],
      },
    });
    await loginAll(channel, mock, ['wx1', 'wx2']);
    // wxid_both wrote to wx2 yesterday: wx2 last talked with them.
    mock.say('wx2', 'wxid_both', '明天见');
    await new Promise((r) => setTimeout(r, 20));
    await channel.pollInbound!({} as never);
    await t.addContacts([
      contact('1', 'wxid_a'),
      contact('2', 'wxid_both'),
      contact('3', 'wxid_c'),
      contact('4', GROUP, '会员群'),
      contact('5', 'wxid_nobody'),
    ]);
    await t.addCampaign(campaign);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain({ advance: true });
    expect(mock.sends.map((s) => [s.account, s.to]).sort()).toEqual([
      ['wx1', 'wxid_a'],
      ['wx2', '1111@chatroom'],
      ['wx2', 'wxid_both'],
      ['wx2', 'wxid_c'],
    ]);
    const deliveries = t.store.deliveries('1');
    const attempt = (i: number) => t.store.attempts(deliveries[i]!.id)[0]!;
    expect([0, 1, 2, 3].map((i) => [attempt(i).account, attempt(i).note])).toEqual([
      ['wx1', 'the only account a friend of theirs'],
      [
        'wx2',
        expect.stringMatching(
          /^last talked with them \(\d{4}-\d\d-\d\d\), of 2 accounts they are friends with$/,
        ),
      ],
      ['wx2', 'the only account a friend of theirs'],
      ['wx2', 'the only account in the group'],
    ]);
    expect(deliveries[4]).toMatchObject({ state: 'failed' });
    expect(deliveries[4]!.lastError).toBe('not a friend of any account (wx1, wx2)');
    expect(t.store.attempts(deliveries[4]!.id)).toHaveLength(1);
  });

  it('a recipient only a cooling account has waits for it; a risk signal cools the account that met it', async () => {
    const { mock, channel, t } = setup({
      wx1: { friends: ['wxid_a'] },
      wx2: { friends: ['wxid_b', 'wxid_b2'] },
    });
    await loginAll(channel, mock, ['wx1', 'wx2']);
    mock.failFrom('wx2', 1, () => new Error('操作频繁'));
    await t.addContacts([contact('1', 'wxid_a'), contact('2', 'wxid_b'), contact('3', 'wxid_b2')]);
    await t.addCampaign(campaign);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(mock.sends.map((s) => [s.account, s.to]).sort()).toEqual([
      ['wx1', 'wxid_a'],
      ['wx2', 'wxid_b'],
    ]);
    // wx2 met the risk and cools down; wx1 does not (it sent fine in the same batch).
    expect((await channel.admin.get('1', 'wx2')).status).toBe('cooling');
    expect((await channel.admin.get('1', 'wx1')).status).toBe('logged_in');
    expect((await t.store.accountHealth(CHANNEL)).map((h) => h.account)).toEqual(['wx2']);
    // wxid_b2 is wx2's only: it waits for the cool-down rather than failing.
    expect(t.store.deliveries('1').map((d) => d.state)).toEqual(['sent', 'sent', 'queued']);
    mock.failFrom('wx2', Number.POSITIVE_INFINITY, () => new Error('never'));
    await t.clock.advance(4 * 3_600_000);
    await t.drain();
    expect(mock.sends.at(-1)).toMatchObject({ account: 'wx2', to: 'wxid_b2' });
    expect(t.store.deliveries('1').every((d) => d.state === 'sent')).toBe(true);
  });
});
