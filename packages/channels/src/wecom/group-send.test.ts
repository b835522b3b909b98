import type { DeliveryEvent, OutboundBatch } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWecom } from './fake-server.js';
import { AES_KEY, CB_TOKEN, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ADD = '/cgi-bin/externalcontact/add_msg_template';
const MIN = 60_000;
const created = new Date('2024-06-01T00:00:00Z');

/** A batch of customer groups (`group:<chat_id>`) with one content. */
function groupBatch(
  chatIds: string[],
  content: OutboundBatch['messages'][number]['content'] = { type: 'text', text: '群福利：今晚 8 点抽奖' },
  key = 'gbatch-1',
): OutboundBatch {
  return {
    batchId: key,
    campaignId: 'c-groups',
    account: null,
    idempotencyKey: key,
    messages: chatIds.map((c, i) => ({ id: `gd-${i + 1}`, address: `group:${c}`, content })),
  };
}

/**
 * zhangsan owns wrA1 (12 members) and wrA2 (30), lisi owns wrB1 (8), wangwu owns 2,001 small
 * groups; the channel learns owners and member counts from a sync, as in production.
 */
async function fixture(channel: Parameters<typeof wecomFixture>[1] = {}, many = 0) {
  const f = await wecomFixture({ callback: { token: CB_TOKEN, encodingAESKey: AES_KEY } }, channel);
  server = f.server;
  const addGroup = (chatId: string, owner: string, members: number) =>
    f.server.corp.groups.set(chatId, {
      chatId,
      name: `群${chatId}`,
      owner,
      createTime: created,
      members: Array.from({ length: members }, (_, m) => ({
        userid: `wm${chatId}${m}`,
        type: 2 as const,
        joinTime: created,
      })),
    });
  addGroup('wrA1', 'zhangsan', 12);
  addGroup('wrA2', 'zhangsan', 30);
  addGroup('wrB1', 'lisi', 8);
  const wangwu = Array.from({ length: many }, (_, i) => `wrW${String(i).padStart(4, '0')}`);
  for (const id of wangwu) addGroup(id, 'wangwu', 3);
  await f.plugin.sync(f.ctx);
  const adds = () => f.server.requests.filter((r) => r.path === ADD);
  const gets = () =>
    f.server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/groupchat/get').length;
  const taskOf = (sender: string) => f.server.corp.customers.tasksOf(sender)[0]!;
  return { ...f, adds, gets, taskOf, wangwu, addGroup };
}

describe('customer groups (chat_type group): one task per owner, confirmed like customer tasks', () => {
  it('sends one task per owner with exactly its groups, each delivery awaiting its owner', async () => {
    const { plugin, ctx, adds, taskOf } = await fixture();
    const outcomes = await plugin.send(groupBatch(['wrA1', 'wrB1', 'wrA2', 'wrGone']), ctx);
    expect(adds().map((r) => r.body)).toEqual([
      {
        chat_type: 'group',
        sender: 'lisi',
        chat_id_list: ['wrB1'],
        text: { content: '群福利：今晚 8 点抽奖' },
      },
      {
        chat_type: 'group',
        sender: 'zhangsan',
        chat_id_list: ['wrA1', 'wrA2'],
        text: { content: '群福利：今晚 8 点抽奖' },
      },
    ]);
    const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]));
    expect(byId['gd-1']).toEqual({
      id: 'gd-1',
      status: 'sent',
      awaitingConfirmation: true,
      providerMessageId: `cm:${taskOf('zhangsan').msgid}:zhangsan:wrA1`,
      via: { account: 'zhangsan', reason: 'the group owner' },
    });
    expect(byId['gd-2']).toMatchObject({ status: 'sent', via: { account: 'lisi' } });
    // A group the sync never saw is asked for (groupchat/get); WeCom knows none (40050): in no task.
    expect(byId['gd-4']).toMatchObject({
      status: 'failed',
      failure: 'invalid_recipient',
      error: 'WeCom knows no such customer group (40050)',
    });
    // The channel lists the tasks per owner like customer tasks, marked as group tasks.
    const tasks = await plugin.openTasks(ctx);
    expect(tasks.map((t) => [t.sender, t.chatType, t.targets])).toEqual([
      ['lisi', 'group', 1],
      ['zhangsan', 'group', 2],
    ]);
  });

  it('a re-run batch makes no second task; an owner with 2,001 groups gets tasks of 2,000 and 1', async () => {
    const { plugin, ctx, adds, wangwu } = await fixture({}, 2001);
    const first = await plugin.send(groupBatch(wangwu), ctx);
    const again = await plugin.send(groupBatch(wangwu), ctx);
    expect(again).toEqual(first);
    expect(adds().map((r) => (r.body.chat_id_list as string[]).length)).toEqual([2000, 1]);
    expect(adds()[1]!.body.chat_id_list).toEqual(['wrW2000']);
    expect(first.every((o) => o.status === 'sent')).toBe(true);
  }, 60_000);

  it('results per group: sent, over the platform cap (filtered), and the group reach of the campaign', async () => {
    const { plugin, ctx, clock, server, taskOf } = await fixture();
    // wrA2 has had this month's mass messages already (31 in March: as many as the month's days).
    server.corp.customers.setReceivedThisMonth('wrA2', 31);
    await plugin.send(groupBatch(['wrA1', 'wrA2', 'wrB1']), ctx);
    clock.advance(MIN);
    expect(await plugin.pollReceipts!(ctx)).toEqual([]);
    server.corp.customers.confirm(taskOf('zhangsan').msgid);
    clock.advance(10 * MIN);
    const events = await plugin.pollReceipts!(ctx);
    const msgid = taskOf('zhangsan').msgid;
    expect(events).toEqual([
      { providerMessageId: `cm:${msgid}:zhangsan:wrA1`, state: 'delivered', at: expect.any(Date) },
      {
        providerMessageId: `cm:${msgid}:zhangsan:wrA2`,
        state: 'filtered',
        at: expect.any(Date),
        error: "WeCom: the group already received the period's mass messages (platform cap)",
      },
    ]);
    // Members covered: the reached group's members then (12), not the capped one's.
    expect(await plugin.groupReach('c-groups', ctx)).toEqual({ groups: 1, members: 12, unknownMembers: 0 });
    // The cap counts per group: wrA1 used one message of March, wrA2 is full, wrB1 untouched.
    const preview = await plugin.capPreview(['wrA1', 'wrA2', 'wrB1'], ctx);
    expect(preview).toMatchObject({ limit: 31, customers: 3, atCap: 1 });
    expect(await ctx.state.get('cap/m2025-03/wrA1')).toBe(1);
    // Polled again later, nothing is reported twice and the reach stays the same.
    clock.advance(120 * MIN);
    expect(
      (await plugin.pollReceipts!(ctx)).filter((e) => e.providerMessageId.includes(':zhangsan:')),
    ).toEqual([]);
    expect(await plugin.groupReach('c-groups', ctx)).toMatchObject({ groups: 1, members: 12 });
  });

  it('an owner who does not confirm by the deadline: the task is cancelled and its groups reported unconfirmed', async () => {
    const { plugin, ctx, clock, server, taskOf } = await fixture({ confirmationDeadlineMs: 30 * MIN });
    await plugin.send(groupBatch(['wrA1', 'wrB1']), ctx);
    server.corp.customers.confirm(taskOf('zhangsan').msgid);
    const events: DeliveryEvent[] = [];
    for (let i = 0; i < 40; i++) {
      clock.advance(MIN);
      events.push(...(await plugin.pollReceipts!(ctx)));
    }
    const lisi = taskOf('lisi');
    expect(lisi.cancelled).toBe(true);
    expect(server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/cancel_groupmsg_send')).toEqual(
      [expect.objectContaining({ body: { msgid: lisi.msgid } })],
    );
    expect(events.map((e) => [e.providerMessageId.split(':')[3], e.state, e.failure])).toEqual([
      ['wrA1', 'delivered', undefined],
      ['wrB1', 'failed', 'unconfirmed'],
    ]);
    // A cancelled group task cannot be confirmed afterwards: wrB1 never gets it.
    server.corp.customers.confirm(lisi.msgid);
    expect(server.corp.customers.tasks.get(lisi.msgid)!.results.get('wrB1')).toEqual({ status: 0 });
  });

  it('a reminder and an operator cancel work on group tasks as on customer tasks', async () => {
    const { plugin, ctx, server, taskOf } = await fixture();
    await plugin.send(groupBatch(['wrB1']), ctx);
    const msgid = taskOf('lisi').msgid;
    await plugin.remindTask(msgid, ctx);
    const events = await plugin.cancelTask(msgid, ctx);
    expect(events).toEqual([
      expect.objectContaining({ providerMessageId: `cm:${msgid}:lisi:wrB1`, failure: 'unconfirmed' }),
    ]);
    expect(server.requests.filter((r) => r.path.endsWith('_groupmsg_send')).map((r) => r.path)).toEqual([
      '/cgi-bin/externalcontact/remind_groupmsg_send',
      '/cgi-bin/externalcontact/cancel_groupmsg_send',
    ]);
  });

  it('addresses a group contact by its chat id, after a member or customer identity', () => {
    return fixture().then(({ plugin }) => {
      expect(plugin.address([{ kind: 'wecom_chat_id', value: 'wrA1' }])).toBe('group:wrA1');
      expect(
        plugin.address([
          { kind: 'wecom_chat_id', value: 'wrA1' },
          { kind: 'wecom_external_userid', value: 'wmC1' },
        ]),
      ).toBe('customer:wmC1');
    });
  });

  it('a new owner (change_external_chat change_owner) or a group created after the sync is read with groupchat/get first', async () => {
    const { plugin, ctx, server, adds, gets, addGroup } = await fixture();
    // WeCom moves wrA2 to wangwu and pushes change_owner (which does not say to whom).
    server.corp.groups.get('wrA2')!.owner = 'wangwu';
    const push = server.push({
      FromUserName: 'sys',
      CreateTime: Math.floor(ctx.now().getTime() / 1000),
      MsgType: 'event',
      Event: 'change_external_chat',
      ChatId: 'wrA2',
      ChangeType: 'update',
      UpdateDetail: 'change_owner',
    });
    await plugin.callback!(push, ctx);
    // A group made after the sync: the channel has never heard of it.
    addGroup('wrNew', 'lisi', 5);
    const before = gets();
    const outcomes = await plugin.send(groupBatch(['wrA1', 'wrA2', 'wrNew']), ctx);
    expect(gets() - before).toBe(2);
    expect(adds().map((r) => [r.body.sender, r.body.chat_id_list])).toEqual([
      ['lisi', ['wrNew']],
      ['wangwu', ['wrA2']],
      ['zhangsan', ['wrA1']],
    ]);
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    // Known again: the next send asks nothing.
    await plugin.send(groupBatch(['wrA2', 'wrNew'], undefined, 'gbatch-2'), ctx);
    expect(gets() - before).toBe(2);
  });
});
