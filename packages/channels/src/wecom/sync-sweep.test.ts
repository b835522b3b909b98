import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWecom } from './fake-server.js';
import { readGroup } from './groups.js';
import { stateRelations } from './relations.js';
import { customerBatch, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const DAY = 24 * 3_600_000;
const BY_USER = '/cgi-bin/externalcontact/batch/get_by_user';
const GROUP_GET = '/cgi-bin/externalcontact/groupchat/get';

/** wmA with zhangsan; wmB with zhangsan and lisi; 150 more of wangwu's (two pages); groups wrG1 (zhangsan), wrG2 (lisi). */
async function fixture() {
  const f = await wecomFixture();
  server = f.server;
  const c = f.server.corp.customers;
  c.addCustomer('wmA', 'zhangsan', new Date('2024-01-01T00:00:00Z'));
  c.addCustomer('wmB', 'lisi', new Date('2024-01-01T00:00:00Z'));
  c.addCustomer('wmB', 'zhangsan', new Date('2024-02-01T00:00:00Z'));
  for (let i = 0; i < 150; i++) c.addCustomer(`wmW${i}`, 'wangwu', new Date('2024-01-01T00:00:00Z'));
  for (const [chatId, owner] of [
    ['wrG1', 'zhangsan'],
    ['wrG2', 'lisi'],
  ] as const) {
    f.server.corp.groups.set(chatId, {
      chatId,
      name: chatId,
      owner,
      createTime: new Date('2024-01-01T00:00:00Z'),
      members: [{ userid: 'wmA', type: 2 as const, joinTime: new Date('2024-01-01T00:00:00Z') }],
    });
  }
  const live = async (external: string) =>
    ((await stateRelations(f.state).get([external])).get(external) ?? [])
      .filter((r) => r.removed === undefined)
      .map((r) => r.userid);
  return { ...f, live };
}

describe('sync: what a complete sync no longer sees has ended', () => {
  it('a failed sync ends nothing; the completed one ends the unseen relations and asks WeCom about unseen groups', async () => {
    const f = await fixture();
    expect((await f.plugin.sync(f.ctx)).done).toBe(true);
    expect(await f.live('wmB')).toEqual(['lisi', 'zhangsan']);

    // At WeCom: wmB deleted lisi, and lisi's group wrG2 is gone (dismissed: no longer listed).
    f.server.corp.customers.follows.get('wmB')!.delete('lisi');
    f.server.corp.groups.delete('wrG2');
    f.clock.advance(DAY);
    // The next sync fails on its second customer page: it saw nothing of wmB's relations yet.
    f.server.failAfter(BY_USER, 1, 45033, 'api freq out of limit');
    await expect(f.plugin.sync(f.ctx)).rejects.toThrow();
    expect(await f.live('wmB')).toEqual(['lisi', 'zhangsan']);
    expect(await f.live('wmW0')).toEqual(['wangwu']);

    // A customer added by a callback while the sync is under way is not ended by it.
    f.clock.advance(60_000);
    f.server.corp.customers.addCustomer('wmLate', 'zhaoliu', f.clock.now());
    await stateRelations(f.state).upsert('wmLate', {
      userid: 'zhaoliu',
      addedAt: Math.floor(f.clock.now().getTime() / 1000),
      seenAt: f.clock.now().getTime(),
    });
    // Resumed to the end: lisi no longer reaches wmB; nothing was deleted.
    const done = await f.plugin.sync(f.ctx);
    expect(done.done).toBe(true);
    expect(await f.live('wmB')).toEqual(['zhangsan']);
    expect(await f.live('wmA')).toEqual(['zhangsan']);
    expect(await f.live('wmW149')).toEqual(['wangwu']);
    expect(await f.live('wmLate')).toEqual(['zhaoliu']);
    const wmB = (await stateRelations(f.state).get(['wmB'])).get('wmB')!;
    expect(wmB.map((r) => [r.userid, r.removed])).toEqual([
      ['lisi', 'unseen'],
      ['zhangsan', undefined],
    ]);

    // A send to wmB goes through zhangsan, the one who still has them.
    await f.plugin.send(customerBatch(['wmB']), f.ctx);
    expect(f.server.corp.customers.tasksOf('zhangsan')).toHaveLength(1);
    expect(f.server.corp.customers.tasksOf('lisi')).toHaveLength(0);

    // The group the sync no longer listed is asked about before a send, and fails as WeCom says.
    const before = f.server.requests.filter((r) => r.path === GROUP_GET).length;
    const outcomes = await f.plugin.send(
      {
        ...customerBatch([], undefined, 'gbatch-1'),
        messages: [
          { id: 'g-1', address: 'group:wrG1', content: { type: 'text', text: '群发' } },
          { id: 'g-2', address: 'group:wrG2', content: { type: 'text', text: '群发' } },
        ],
      },
      f.ctx,
    );
    const asked = f.server.requests.filter((r) => r.path === GROUP_GET).slice(before);
    expect(asked.map((r) => r.body.chat_id)).toEqual(['wrG2']);
    expect(outcomes.find((o) => o.id === 'g-2')).toMatchObject({
      status: 'failed',
      failure: 'invalid_recipient',
    });
    expect(outcomes.find((o) => o.id === 'g-1')).toMatchObject({ status: 'sent' });
    // Its record is kept (its history with it), only no longer trusted.
    expect((await readGroup(f.state, 'wrG2')).owner).toBe('lisi');
  });

  it('a relation seen again by a later complete sync is live again', async () => {
    const f = await fixture();
    await f.plugin.sync(f.ctx);
    f.server.corp.customers.follows.get('wmB')!.delete('lisi');
    f.clock.advance(DAY);
    await f.plugin.sync(f.ctx);
    expect(await f.live('wmB')).toEqual(['zhangsan']);
    f.server.corp.customers.addCustomer('wmB', 'lisi', new Date('2024-03-01T00:00:00Z'));
    f.clock.advance(DAY);
    await f.plugin.sync(f.ctx);
    expect(await f.live('wmB')).toEqual(['lisi', 'zhangsan']);
  });
});
