import { isQunfaError, type PluginState } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWecom } from './fake-server.js';
import { stateRelations } from './relations.js';
import { customerBatch, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ADD = '/cgi-bin/externalcontact/add_msg_template';
const day = (d: string) => new Date(`${d}T00:00:00Z`);

/** zhangsan has wmC1–wmC3 (since 2023), lisi wmC3–wmC5 (since 2024): wmC3 has both. */
async function fixture(channel: Parameters<typeof wecomFixture>[1] = {}) {
  const f = await wecomFixture({}, channel);
  server = f.server;
  const relations = stateRelations(f.state);
  const follow = async (external: string, userid: string, added: string) => {
    f.server.corp.customers.addCustomer(external, userid, day(added));
    await relations.upsert(external, { userid, addedAt: day(added).getTime() / 1000 });
  };
  for (const c of ['wmC1', 'wmC2', 'wmC3']) await follow(c, 'zhangsan', '2023-01-09');
  for (const c of ['wmC3', 'wmC4', 'wmC5']) await follow(c, 'lisi', '2024-05-01');
  return { ...f, relations, follow };
}

const adds = (s: FakeWecom) => s.requests.filter((r) => r.path === ADD);

describe('customer mass send (add_msg_template)', () => {
  it('creates one task per sender, each customer through the one who added them first', async () => {
    const { server, plugin, ctx } = await fixture();
    const outcomes = await plugin.send(customerBatch(['wmC1', 'wmC3', 'wmC4']), ctx);
    expect(adds(server).map((r) => r.body)).toEqual([
      {
        chat_type: 'single',
        external_userid: ['wmC4'],
        sender: 'lisi',
        allow_select: false,
        text: { content: '会员日 8 折' },
      },
      {
        chat_type: 'single',
        external_userid: ['wmC1', 'wmC3'],
        sender: 'zhangsan',
        allow_select: false,
        text: { content: '会员日 8 折' },
      },
    ]);
    const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]));
    expect(byId['cd-2']).toMatchObject({
      status: 'sent',
      awaitingConfirmation: true,
      via: { account: 'zhangsan', reason: 'added them first (2023-01-09)' },
    });
    expect(byId['cd-3']).toMatchObject({
      status: 'sent',
      awaitingConfirmation: true,
      via: { account: 'lisi' },
    });
    const [lisiTask] = server.corp.customers.tasksOf('lisi');
    expect(byId['cd-3']!.status === 'sent' && byId['cd-3']!.providerMessageId).toBe(
      `cm:${lisiTask!.msgid}:lisi:wmC4`,
    );
  });

  it('an operator pin and a known last talk change the sender, and say so', async () => {
    const pinned = await fixture({ pinnedSenders: ['lisi'] });
    const [viaPin] = await pinned.plugin.send(customerBatch(['wmC3']), pinned.ctx);
    expect(viaPin).toMatchObject({ via: { account: 'lisi', reason: 'pinned by the operator' } });
    await pinned.server.close();
    const talked = await fixture();
    await talked.relations.upsert('wmC3', {
      userid: 'lisi',
      addedAt: day('2024-05-01').getTime() / 1000,
      lastTalkAt: day('2025-02-01').getTime() / 1000,
    });
    const [viaTalk] = await talked.plugin.send(customerBatch(['wmC3']), talked.ctx);
    expect(viaTalk).toMatchObject({ via: { account: 'lisi', reason: 'last talked with them (2025-02-01)' } });
  });

  it('never goes through a member the customer deleted; a customer nobody has fails invalid_recipient', async () => {
    const { server, plugin, ctx, relations } = await fixture();
    await relations.remove('wmC3', 'zhangsan', 'by_customer');
    const outcomes = await plugin.send(customerBatch(['wmC3', 'wmStranger']), ctx);
    const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]));
    expect(byId['cd-1']).toMatchObject({ status: 'sent', via: { account: 'lisi' } });
    expect(byId['cd-2']).toMatchObject({ status: 'failed', failure: 'invalid_recipient' });
    expect(adds(server)).toHaveLength(1);
  });

  it("fails exactly the customers of WeCom's fail_list", async () => {
    const { server, plugin, ctx, relations } = await fixture();
    await relations.upsert('wmGone', { userid: 'zhangsan', addedAt: 1 });
    const outcomes = await plugin.send(customerBatch(['wmC1', 'wmGone']), ctx);
    expect(outcomes.map((o) => (o.status === 'sent' ? 'sent' : o.failure))).toEqual([
      'sent',
      'invalid_recipient',
    ]);
    expect(server.corp.customers.tasksOf('zhangsan')[0]!.targets).toEqual(['wmC1']);
  });

  it('a batch sent again (same idempotency key) creates no second task', async () => {
    const { server, plugin, ctx } = await fixture();
    const first = await plugin.send(customerBatch(['wmC1', 'wmC4']), ctx);
    const again = await plugin.send(customerBatch(['wmC1', 'wmC4']), ctx);
    expect(again).toEqual(first);
    expect(adds(server)).toHaveLength(2);
    expect(server.corp.customers.tasks.size).toBe(2);
  });

  it('splits a sender over 10,000 customers into tasks of at most 10,000', async () => {
    const { server, plugin, ctx, relations } = await fixture();
    const many = Array.from({ length: 10_001 }, (_, i) => `wmMany${i}`);
    for (const e of many) {
      server.corp.customers.addCustomer(e, 'wangwu');
      await relations.upsert(e, { userid: 'wangwu', addedAt: 1 });
    }
    const outcomes = await plugin.send(customerBatch(many), ctx);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(10_001);
    expect(adds(server).map((r) => (r.body.external_userid as string[]).length)).toEqual([10_000, 1]);
  });

  it('uploads an image attachment once and sends it as media_id', async () => {
    const { server, plugin, ctx } = await fixture();
    const png = `data:image/png;base64,${Buffer.from('customer-image-bytes').toString('base64')}`;
    await plugin.send(
      customerBatch(['wmC1', 'wmC4'], { type: 'image', text: png, subject: '新品上市' }),
      ctx,
    );
    const mediaId = [...server.corp.media.keys()][0];
    expect(server.requests.filter((r) => r.path === '/cgi-bin/media/upload')).toHaveLength(1);
    expect(adds(server).map((r) => [r.body.text, r.body.attachments])).toEqual([
      [{ content: '新品上市' }, [{ msgtype: 'image', image: { media_id: mediaId } }]],
      [{ content: '新品上市' }, [{ msgtype: 'image', image: { media_id: mediaId } }]],
    ]);
  });
});

/**
 * A plugin state whose first write of a key `dies` matches never completes (nor does anything
 * after it): the process died there, before that write or, with `afterWrite`, just after it.
 */
function dyingAt(state: PluginState, dies: (key: string) => boolean, afterWrite = false): PluginState {
  let dead = false;
  return {
    get: (key) => state.get(key),
    set: async (key, value, ttl) => {
      if (dead || dies(key)) {
        if (!dead && afterWrite) await state.set(key, value, ttl);
        dead = true;
        return new Promise<void>(() => {});
      }
      return state.set(key, value, ttl);
    },
    setIfAbsent: (key, value, ttl) =>
      dead ? new Promise<boolean>(() => {}) : state.setIfAbsent(key, value, ttl),
    delete: (key) => (dead ? new Promise<void>(() => {}) : state.delete(key)),
  };
}

const LIST = '/cgi-bin/externalcontact/get_groupmsg_list_v2';
const until = async (what: string, done: () => boolean) => {
  for (let i = 0; !done(); i++) {
    if (i > 400) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('customer mass send: no second task after a crash or a lost answer', () => {
  it('a worker that dies after add_msg_template, before its answer is kept: the re-run adopts the task', async () => {
    const { server, plugin, ctx, state } = await fixture();
    const batch = customerBatch(['wmC1', 'wmC2', 'wmC4']);
    // The first worker: lisi's task is made and kept, zhangsan's is made and the worker dies.
    let died = false;
    const dying = dyingAt(state, (key) => {
      died = key.startsWith('customer-task/') && server.corp.customers.tasksOf('zhangsan').length > 0;
      return died;
    });
    void plugin.send(batch, { ...ctx, state: dying });
    await until('the worker to die', () => died);
    expect(server.corp.customers.tasks.size).toBe(2);
    const zhang = server.corp.customers.tasksOf('zhangsan')[0]!;

    // Its lease runs out; another worker sends the same batch (same idempotency key).
    const outcomes = await plugin.send(batch, ctx);
    expect(server.corp.customers.tasks.size).toBe(2);
    expect(adds(server)).toHaveLength(2);
    const list = server.requests.filter((r) => r.path === LIST);
    expect(list).toHaveLength(1);
    expect(list[0]!.body).toMatchObject({ chat_type: 'single', filter_type: 0, limit: 100 });
    expect(outcomes.map((o) => o.status === 'sent' && o.providerMessageId)).toEqual([
      `cm:${server.corp.customers.tasksOf('lisi')[0]!.msgid}:lisi:wmC4`,
      `cm:${zhang.msgid}:zhangsan:wmC1`,
      `cm:${zhang.msgid}:zhangsan:wmC2`,
    ]);
    // The adopted task is polled like any other, and a third run asks WeCom nothing.
    expect((await plugin.openTasks(ctx)).map((t) => t.msgid).sort()).toEqual(
      [...server.corp.customers.tasks.keys()].sort(),
    );
    expect(await plugin.send(batch, ctx)).toEqual(outcomes);
    expect(server.requests.filter((r) => r.path === LIST)).toHaveLength(1);
  });

  it('a worker that dies after writing its intent but before calling: the re-run finds nothing and makes the task once', async () => {
    const { server, plugin, ctx, state } = await fixture();
    const batch = customerBatch(['wmC1']);
    let died = false;
    const dying = dyingAt(state, (key) => (died = key.startsWith('task-intent/')), true);
    void plugin.send(batch, { ...ctx, state: dying });
    await until('the worker to die', () => died);
    expect(adds(server)).toHaveLength(0);
    const [outcome] = await plugin.send(batch, ctx);
    const [task] = server.corp.customers.tasksOf('zhangsan');
    expect(outcome).toMatchObject({ status: 'sent', providerMessageId: `cm:${task!.msgid}:zhangsan:wmC1` });
    expect(server.corp.customers.tasks.size).toBe(1);
    expect(server.requests.filter((r) => r.path === LIST)).toHaveLength(1);
  });

  it('an answer lost on the way back is looked for at once: the task WeCom made is kept, none made again', async () => {
    const { server, plugin, ctx } = await fixture();
    server.loseAnswerNext(ADD);
    const outcomes = await plugin.send(customerBatch(['wmC1', 'wmC2']), ctx);
    const [task] = server.corp.customers.tasksOf('zhangsan');
    expect(server.corp.customers.tasks.size).toBe(1);
    expect(outcomes.map((o) => o.status === 'sent' && o.providerMessageId)).toEqual([
      `cm:${task!.msgid}:zhangsan:wmC1`,
      `cm:${task!.msgid}:zhangsan:wmC2`,
    ]);
    expect(server.requests.filter((r) => r.path === LIST)).toHaveLength(1);
  });

  it('a lost answer for a call that made nothing fails network (safe to retry); one WeCom cannot be asked about is uncertain', async () => {
    const lost = await fixture();
    lost.server.corp.customers.follows.get('wmC1')!.get('zhangsan')!.deleted = 'by_customer';
    lost.server.loseAnswerNext(ADD);
    const [nothing] = await lost.plugin.send(customerBatch(['wmC1']), lost.ctx);
    expect(nothing).toMatchObject({ status: 'failed', failure: 'network' });
    expect(lost.server.corp.customers.tasks.size).toBe(0);
    await lost.server.close();

    const unknown = await fixture();
    unknown.server.loseAnswerNext(ADD);
    unknown.server.failNext(LIST, 45009, 'api freq out of limit');
    const [maybe] = await unknown.plugin.send(customerBatch(['wmC1']), unknown.ctx);
    expect(maybe).toMatchObject({ status: 'uncertain' });
    server = unknown.server;
  });

  it('a task with the same content for the same sender, recorded by another batch, is never adopted', async () => {
    const { server, plugin, ctx, state } = await fixture();
    await plugin.send(customerBatch(['wmC1'], undefined, 'other-batch'), ctx);
    const batch = customerBatch(['wmC1']);
    let died = false;
    void plugin.send(batch, {
      ...ctx,
      state: dyingAt(state, (key) => (died = key.startsWith('task-intent/')), true),
    });
    await until('the worker to die', () => died);
    const [outcome] = await plugin.send(batch, ctx);
    expect(server.requests.filter((r) => r.path === LIST)).toHaveLength(1);
    expect(server.corp.customers.tasks.size).toBe(2);
    const mine = server.corp.customers.tasksOf('zhangsan')[1]!;
    expect(outcome).toMatchObject({ providerMessageId: `cm:${mine.msgid}:zhangsan:wmC1` });
  });
});

describe('customer task results, reminders, cancel, deadline', () => {
  it('polls results once the sender confirmed: 1 delivered, 2 invalid_recipient, 3 filtered, 0 nothing', async () => {
    const { server, plugin, ctx, clock } = await fixture();
    await plugin.send(customerBatch(['wmC1', 'wmC2', 'wmC3', 'wmC4']), ctx);
    expect(await plugin.pollReceipts!(ctx)).toEqual([]);
    const zhang = server.corp.customers.tasksOf('zhangsan')[0]!;
    server.corp.customers.setReceivedThisMonth('wmC1', 31);
    server.corp.customers.follows.get('wmC2')!.get('zhangsan')!.deleted = 'by_customer';
    clock.advance(5 * 60_000);
    server.corp.customers.confirm(zhang.msgid);
    const events = await plugin.pollReceipts!(ctx);
    const at = clock.now();
    expect(events).toEqual([
      {
        providerMessageId: `cm:${zhang.msgid}:zhangsan:wmC1`,
        state: 'filtered',
        at,
        error: 'WeCom: already received another mass message (platform cap)',
      },
      {
        providerMessageId: `cm:${zhang.msgid}:zhangsan:wmC2`,
        state: 'failed',
        at,
        failure: 'invalid_recipient',
        error: 'no longer a customer of the sender',
      },
      { providerMessageId: `cm:${zhang.msgid}:zhangsan:wmC3`, state: 'delivered', at },
    ]);
    expect(
      server.requests
        .filter((r) => r.path === '/cgi-bin/externalcontact/get_groupmsg_send_result')
        .map((r) => r.body),
    ).toEqual([{ msgid: zhang.msgid, userid: 'zhangsan', limit: 1000 }]);
    const open = await plugin.openTasks(ctx);
    expect(open.map((t) => [t.sender, t.confirmed])).toEqual([['lisi', false]]);
    // The cap preview now counts wmC3's message of this month.
    const preview = await (plugin as import('./channel.js').WecomChannel).capPreview(['wmC3', 'wmC4'], ctx);
    expect(preview).toMatchObject({ limit: 31, customers: 2, atCap: 0 });
    // wmC1 was answered 3: WeCom counted messages we never sent, so it is full for the month.
    expect(
      await (plugin as import('./channel.js').WecomChannel).capPreview(['wmC1', 'wmC3'], ctx),
    ).toMatchObject({
      atCap: 1,
    });
  });

  it('reminds at most 3 times in 24 hours, then refuses without calling WeCom', async () => {
    const { server, plugin, ctx, clock } = await fixture();
    await plugin.send(customerBatch(['wmC4']), ctx);
    const [task] = server.corp.customers.tasksOf('lisi');
    for (let i = 0; i < 3; i++) {
      await plugin.remindTask(task!.msgid, ctx);
      clock.advance(60_000);
    }
    const refused = await plugin.remindTask(task!.msgid, ctx).catch((e) => e);
    expect(isQunfaError(refused) && refused.code).toBe('RATE_LIMITED');
    expect(
      server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/remind_groupmsg_send'),
    ).toHaveLength(3);
    clock.advance(24 * 3600_000);
    await plugin.remindTask(task!.msgid, ctx);
    expect(
      server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/remind_groupmsg_send'),
    ).toHaveLength(4);
  });

  it('cancels a task: the sender can no longer send it', async () => {
    const { server, plugin, ctx } = await fixture();
    await plugin.send(customerBatch(['wmC4']), ctx);
    const [task] = server.corp.customers.tasksOf('lisi');
    await plugin.cancelTask(task!.msgid, ctx);
    expect(
      server.requests.find((r) => r.path === '/cgi-bin/externalcontact/cancel_groupmsg_send')?.body,
    ).toEqual({ msgid: task!.msgid });
    server.corp.customers.confirm(task!.msgid);
    expect(server.corp.customers.receivedThisMonth('wmC4')).toBe(0);
  });

  it('looks at an unconfirmed task at its deadline, not at the next doubled poll', async () => {
    const { server, plugin, ctx, clock } = await fixture({ confirmationDeadlineMs: 20 * 60_000 });
    await plugin.send(customerBatch(['wmC4']), ctx);
    const cancels = () =>
      server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/cancel_groupmsg_send').length;
    let minutes = 0;
    while (cancels() === 0 && minutes < 120) {
      await plugin.pollReceipts!(ctx);
      clock.advance(60_000);
      minutes++;
    }
    // Polls double from 1 minute (1, 2, 4, 8, 16, 32…): without the deadline it would be minute 31.
    expect(minutes).toBe(21);
  });

  it('cancels an unconfirmed task at the confirmation deadline, and only that one', async () => {
    const { server, plugin, ctx, clock } = await fixture({ confirmationDeadlineMs: 3_600_000 });
    await plugin.send(customerBatch(['wmC1', 'wmC4']), ctx);
    server.corp.customers.confirm(server.corp.customers.tasksOf('zhangsan')[0]!.msgid);
    for (let i = 0; i < 8; i++) {
      clock.advance(10 * 60_000);
      await plugin.pollReceipts!(ctx);
    }
    const cancels = server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/cancel_groupmsg_send');
    expect(cancels.map((r) => r.body.msgid)).toEqual([server.corp.customers.tasksOf('lisi')[0]!.msgid]);
    expect(await plugin.openTasks(ctx)).toEqual([]);
  });
});
