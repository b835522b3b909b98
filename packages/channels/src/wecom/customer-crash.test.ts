import { MemoryPluginState, type PluginState, scopePluginState, silentLogger } from '@qunfa/core';
import { createTestEngine, makeContact } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { wecom } from './channel.js';
import { type FakeWecom, startFakeWecom } from './fake-server.js';
import { AGENT_ID, APP_SECRET, CONTACT_SECRET, CORP_ID } from './test-support.js';

let fake: FakeWecom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const external = (i: number) => `wmCrash${i}`;
const sender = (i: number) => (i % 2 === 0 ? 'zhangsan' : 'lisi');

/**
 * A campaign through the engine (in-memory store, fake clock) whose first worker dies after
 * `add_msg_template` succeeded and before it wrote down the task: its lease runs out, the batch is
 * run again with the same key, and the channel finds the task at WeCom instead of making another.
 */
describe('customer mass send through the engine: a worker killed between the call and the write', () => {
  it('makes one task per sender, every delivery counted once, the adopted task polled to delivered', async () => {
    let now = () => new Date('2025-03-10T02:00:00Z');
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      now: () => now(),
    });
    for (let i = 0; i < 6; i++) fake.corp.customers.addCustomer(external(i), sender(i), new Date(1.7e12));
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      baseUrl: fake.url,
      taskPollMs: 1000,
    });
    const shared = new MemoryPluginState({ now: () => now() });
    const t = createTestEngine({
      plugins: [channel],
      start: '2025-03-10T02:00:00Z',
      engine: { pluginState: shared, logger: silentLogger, leaseMs: 60_000 },
    });
    now = () => t.clock.now();
    const state = scopePluginState(shared, channel.name);
    const ctx = { signal: new AbortController().signal, now, state, logger: silentLogger };
    await channel.sync(ctx);
    await t.addContacts(
      Array.from({ length: 6 }, (_, i) =>
        makeContact({
          id: String(i + 1),
          identities: [{ kind: 'wecom_external_userid', value: external(i) }],
        }),
      ),
    );
    const campaign = await t.addCampaign({
      id: 'crash',
      channelPlan: [{ channel: 'channel:wecom', trackLinks: false }],
      variants: [{ id: 'v1', key: 'A', weight: 1, content: { type: 'text', text: '会员日，全场八折' } }],
    });
    await t.engine.start({ workspaceId: campaign.workspaceId, campaignId: campaign.id, actor: t.actor });

    // The doomed worker claims the batch and calls WeCom; it dies writing down lisi's task.
    const [job] = t.queue.takeDue();
    const claimed = await t.store.claimBatch({
      batchId: job!.batchId,
      owner: 'doomed',
      now: t.clock.now(),
      leaseMs: 60_000,
    });
    let died = false;
    const dying: PluginState = {
      ...state,
      set: (key, value, ttl) => {
        if (died || key.startsWith('customer-task/')) {
          died = true;
          return new Promise<void>(() => {});
        }
        return state.set(key, value, ttl);
      },
    };
    void channel.send(
      {
        batchId: job!.batchId,
        campaignId: campaign.id,
        account: null,
        idempotencyKey: job!.batchId,
        messages: claimed!.recipients.map((r) => ({
          id: r.deliveryId,
          address: `customer:${r.identities[0]!.value}`,
          content: { type: 'text', text: '会员日，全场八折' },
        })),
      },
      { ...ctx, state: dying },
    );
    for (let i = 0; !died; i++) {
      if (i > 400) throw new Error('the doomed worker never reached the write');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect([...fake.corp.customers.tasks.values()].map((task) => task.sender)).toEqual(['lisi']);

    // Its lease runs out; the engine runs the batch again with the same key.
    await t.clock.advance(60_001);
    await t.drain();
    const tasks = [...fake.corp.customers.tasks.values()];
    expect(tasks.map((task) => task.sender).sort()).toEqual(['lisi', 'zhangsan']);
    expect(fake.requests.filter((r) => r.path.endsWith('/add_msg_template'))).toHaveLength(2);
    const deliveries = t.store.deliveries(campaign.id);
    expect(deliveries).toHaveLength(6);
    expect(deliveries.map((d) => d.state)).toEqual(Array(6).fill('awaiting_confirmation'));
    expect(deliveries.flatMap((d) => t.store.attempts(d.id))).toHaveLength(6);
    const lisi = tasks.find((task) => task.sender === 'lisi')!;
    expect(
      deliveries
        .filter((d) => d.providerMessageId?.startsWith(`cm:${lisi.msgid}:lisi:`))
        .map((d) => d.contactId)
        .sort(),
    ).toEqual(['2', '4', '6']);

    // Both senders confirm; the adopted task is polled like the other, each customer gets one message.
    for (const task of tasks) fake.corp.customers.confirm(task.msgid);
    await t.clock.advance(5_000);
    await t.engine.pollReceipts();
    await t.drain();
    expect(t.store.deliveries(campaign.id).map((d) => d.state)).toEqual(Array(6).fill('delivered'));
    for (let i = 0; i < 6; i++) expect(fake.corp.customers.receivedThisMonth(external(i))).toBe(1);
    expect((await t.store.counters(campaign.id)).delivered).toBe(6);
  });
});
