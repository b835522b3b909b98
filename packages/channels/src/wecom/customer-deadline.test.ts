import type { DeliveryEvent } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWecom } from './fake-server.js';
import { stateRelations } from './relations.js';
import { customerBatch, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const CANCEL = '/cgi-bin/externalcontact/cancel_groupmsg_send';
const MIN = 60_000;

/** zhangsan has wmC1–wmC3, lisi wmC4–wmC5. */
async function fixture(channel: Parameters<typeof wecomFixture>[1] = {}) {
  const f = await wecomFixture({}, channel);
  server = f.server;
  const relations = stateRelations(f.state);
  for (const [external, userid] of [
    ['wmC1', 'zhangsan'],
    ['wmC2', 'zhangsan'],
    ['wmC3', 'zhangsan'],
    ['wmC4', 'lisi'],
    ['wmC5', 'lisi'],
  ] as const) {
    f.server.corp.customers.addCustomer(external, userid, new Date('2024-01-01T00:00:00Z'));
    await relations.upsert(external, { userid, addedAt: Date.parse('2024-01-01T00:00:00Z') / 1000 });
  }
  const cancels = () => f.server.requests.filter((r) => r.path === CANCEL).map((r) => r.body.msgid);
  const taskOf = (sender: string) => f.server.corp.customers.tasksOf(sender)[0]!;
  /** Polls every minute for `minutes`, collecting the events. */
  const pollFor = async (minutes: number) => {
    const events: DeliveryEvent[] = [];
    for (let i = 0; i < minutes; i++) {
      f.clock.advance(MIN);
      events.push(...(await f.plugin.pollReceipts!(f.ctx)));
    }
    return events;
  };
  return { ...f, cancels, taskOf, pollFor };
}

const unconfirmed = (msgid: string, sender: string, external: string, at: Date): DeliveryEvent => ({
  providerMessageId: `cm:${msgid}:${sender}:${external}`,
  state: 'failed',
  at,
  failure: 'unconfirmed',
  error: 'WeCom: the sender did not confirm the task before it was cancelled',
});

describe('customer tasks: the confirmation deadline and what a cancel leaves unsent', () => {
  it("takes the campaign's deadline from the batch over the channel's, and reports the cancelled task's customers unconfirmed once", async () => {
    const { plugin, ctx, clock, cancels, taskOf, pollFor } = await fixture({
      confirmationDeadlineMs: 120 * MIN,
    });
    const sentAt = clock.now().getTime();
    await plugin.send({ ...customerBatch(['wmC4', 'wmC5']), confirmationDeadlineMs: 15 * MIN }, ctx);
    const lisi = taskOf('lisi');
    expect((await plugin.task(lisi.msgid, ctx))?.deadlineAt).toBe(sentAt + 15 * MIN);
    const early = await pollFor(14);
    expect(early).toEqual([]);
    expect(cancels()).toEqual([]);
    const events = await pollFor(1);
    expect(cancels()).toEqual([lisi.msgid]);
    const at = new Date(sentAt + 15 * MIN);
    expect(events).toEqual([
      unconfirmed(lisi.msgid, 'lisi', 'wmC4', at),
      unconfirmed(lisi.msgid, 'lisi', 'wmC5', at),
    ]);
    // Closed: nothing more is reported, and the sender can no longer send it.
    expect(await pollFor(120)).toEqual([]);
    expect(await plugin.openTasks(ctx)).toEqual([]);
    server!.corp.customers.confirm(lisi.msgid);
    expect(server!.corp.customers.receivedThisMonth('wmC4')).toBe(0);
  });

  it('a sender who confirms before the deadline is not cancelled: results, never unconfirmed', async () => {
    const { plugin, ctx, cancels, taskOf, pollFor } = await fixture({ confirmationDeadlineMs: 15 * MIN });
    await plugin.send(customerBatch(['wmC1', 'wmC4']), ctx);
    await pollFor(14);
    server!.corp.customers.confirm(taskOf('zhangsan').msgid);
    const events = await pollFor(30);
    expect(cancels()).toEqual([taskOf('lisi').msgid]);
    expect(events.map((e) => [e.providerMessageId.split(':')[3], e.state, e.failure]).sort()).toEqual([
      ['wmC1', 'delivered', undefined],
      ['wmC4', 'failed', 'unconfirmed'],
    ]);
  });

  it('a cancel WeCom refuses at the deadline reports nobody, and is tried again at the next poll', async () => {
    const { plugin, ctx, cancels, taskOf, pollFor } = await fixture({ confirmationDeadlineMs: 15 * MIN });
    await plugin.send(customerBatch(['wmC4']), ctx);
    await pollFor(14);
    server!.failNext(CANCEL, -1, 'system busy', 3);
    const refused = await pollFor(1);
    expect(refused).toEqual([]);
    expect(await plugin.task(taskOf('lisi').msgid, ctx)).toMatchObject({ cancelled: false, closed: false });
    // Not cancelled: a confirmation now is still sent, and reported delivered — not unconfirmed.
    server!.corp.customers.confirm(taskOf('lisi').msgid);
    const later = await pollFor(5);
    expect(later.map((e) => e.state)).toEqual(['delivered']);
    // The three refused calls (one, and WeCom's busy retries) were all: confirmed, it is not cancelled.
    expect(cancels()).toHaveLength(3);
    expect(taskOf('lisi').cancelled).toBe(false);
  });

  it('a cancel whose results cannot be read reports them at the next poll', async () => {
    const { plugin, ctx, taskOf, pollFor } = await fixture();
    await plugin.send(customerBatch(['wmC4', 'wmC5']), ctx);
    server!.failNext('/cgi-bin/externalcontact/get_groupmsg_send_result', -1, 'system busy', 3);
    expect(await plugin.cancelTask(taskOf('lisi').msgid, ctx)).toEqual([]);
    expect(await plugin.openTasks(ctx)).toHaveLength(1);
    const events = await pollFor(1);
    expect(events.map((e) => [e.providerMessageId.split(':')[3], e.failure])).toEqual([
      ['wmC4', 'unconfirmed'],
      ['wmC5', 'unconfirmed'],
    ]);
    expect(await plugin.openTasks(ctx)).toEqual([]);
  });

  it("an operator's cancel of a task its sender sent partly: the sent delivered, the rest unconfirmed at once", async () => {
    const { plugin, ctx, clock, cancels, taskOf } = await fixture();
    await plugin.send(customerBatch(['wmC1', 'wmC2', 'wmC3']), ctx);
    const zhang = taskOf('zhangsan');
    // The sender confirmed; WeCom had reached wmC1 when the operator stopped the rest.
    zhang.status = 2;
    zhang.results.set('wmC1', { status: 1, sendTime: clock.now() });
    clock.advance(MIN);
    const events = await plugin.cancelTask(zhang.msgid, ctx);
    expect(cancels()).toEqual([zhang.msgid]);
    expect(events).toEqual([
      {
        providerMessageId: `cm:${zhang.msgid}:zhangsan:wmC1`,
        state: 'delivered',
        at: new Date(Math.floor((clock.now().getTime() - MIN) / 1000) * 1000),
      },
      unconfirmed(zhang.msgid, 'zhangsan', 'wmC2', clock.now()),
      unconfirmed(zhang.msgid, 'zhangsan', 'wmC3', clock.now()),
    ]);
    // A second cancel neither calls WeCom nor reports anything again.
    expect(await plugin.cancelTask(zhang.msgid, ctx)).toEqual([]);
    expect(cancels()).toHaveLength(1);
  });
});
