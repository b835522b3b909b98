import type { DeliveryEvent } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWecom } from './fake-server.js';
import { stateRelations } from './relations.js';
import { TASK_WINDOW_MS } from './tasks.js';
import { customerBatch, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CANCEL = '/cgi-bin/externalcontact/cancel_groupmsg_send';

/**
 * A campaign step with no deadline and no escalation: WeCom's query window is the last word. No
 * customer may stay awaiting confirmation past it — its campaign would never complete.
 */
describe('customer tasks without a deadline: the query window ends them', () => {
  it('cancels an unconfirmed task a day before the window closes, and fails what a confirmed one left at 0 after it', async () => {
    const f = await wecomFixture();
    server = f.server;
    const relations = stateRelations(f.state);
    for (const [external, userid] of [
      ['wmC1', 'zhangsan'],
      ['wmC2', 'zhangsan'],
      ['wmC4', 'lisi'],
    ] as const) {
      f.server.corp.customers.addCustomer(external, userid, new Date('2024-01-01T00:00:00Z'));
      await relations.upsert(external, { userid, addedAt: Date.parse('2024-01-01T00:00:00Z') / 1000 });
    }
    const sentAt = f.clock.now().getTime();
    await f.plugin.send(customerBatch(['wmC1', 'wmC2', 'wmC4']), f.ctx);
    const zhang = f.server.corp.customers.tasksOf('zhangsan')[0]!;
    const lisi = f.server.corp.customers.tasksOf('lisi')[0]!;
    // zhangsan confirmed; WeCom reached wmC1 and never says anything of wmC2.
    zhang.status = 2;
    zhang.results.set('wmC1', { status: 1, sendTime: f.clock.now() });
    const events: (DeliveryEvent & { day: number })[] = [];
    for (let t = 0; t < TASK_WINDOW_MS + 2 * DAY; t += 6 * HOUR) {
      f.clock.advance(6 * HOUR);
      const day = Math.floor((f.clock.now().getTime() - sentAt) / DAY);
      // Results already reported come again at every poll (the engine counts them once): the first of each.
      for (const e of await f.plugin.pollReceipts!(f.ctx))
        if (!events.some((x) => x.providerMessageId === e.providerMessageId && x.state === e.state))
          events.push({ ...e, day });
    }
    const cancels = f.server.requests.filter((r) => r.path === CANCEL).map((r) => r.body.msgid);
    expect(cancels).toEqual([lisi.msgid]);
    expect(events.map((e) => [e.providerMessageId.split(':')[3], e.state, e.failure, e.day])).toEqual([
      ['wmC1', 'delivered', undefined, 0],
      ['wmC4', 'failed', 'unconfirmed', 29],
      ['wmC2', 'failed', 'unknown', 30],
    ]);
    expect(await f.plugin.openTasks(f.ctx)).toEqual([]);
  }, 60_000);

  it('past the window, a task whose last results cannot be read is asked again, not closed at once', async () => {
    const f = await wecomFixture();
    server = f.server;
    f.server.corp.customers.addCustomer('wmC1', 'zhangsan', new Date('2024-01-01T00:00:00Z'));
    await stateRelations(f.state).upsert('wmC1', { userid: 'zhangsan', addedAt: 1_704_067_200 });
    await f.plugin.send(customerBatch(['wmC1']), f.ctx);
    const zhang = f.server.corp.customers.tasksOf('zhangsan')[0]!;
    zhang.status = 2;
    f.clock.advance(TASK_WINDOW_MS - HOUR);
    await f.plugin.pollReceipts!(f.ctx);
    f.clock.advance(2 * HOUR);
    f.server.failNext('/cgi-bin/externalcontact/get_groupmsg_send_result', -1, 'system busy', 3);
    expect(await f.plugin.pollReceipts!(f.ctx)).toEqual([]);
    expect(await f.plugin.openTasks(f.ctx)).toHaveLength(1);
    f.clock.advance(HOUR);
    const last = await f.plugin.pollReceipts!(f.ctx);
    expect(last.map((e) => [e.state, e.failure])).toEqual([['failed', 'unknown']]);
    expect(await f.plugin.openTasks(f.ctx)).toEqual([]);
  });
});
