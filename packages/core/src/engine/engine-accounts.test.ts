import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { rotation } from './accounts.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = (n: number) => Array.from({ length: n }, (_, i) => makeContact({ id: String(i + 1) }));

describe('engine: sender accounts', () => {
  it('rotates from the planned account, or from the batch seq when none was planned', () => {
    expect(rotation(['a', 'b', 'c'], { account: 'b', seq: 0 })).toEqual(['b', 'c', 'a']);
    expect(rotation(['a', 'b', 'c'], { account: null, seq: 4 })).toEqual(['b', 'c', 'a']);
    expect(rotation([], { account: null, seq: 1 })).toEqual([]);
  });

  it('rotates batches over the accounts and moves on when one runs out of daily quota', async () => {
    const channel = fakeChannel({ accounts: ['wx1', 'wx2'], maxSendsPerDay: 4, maxPerSend: 2 });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(10));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    // 8 sends fit in the two accounts' quotas today; the fifth batch waits for tomorrow.
    expect(channel.calls.map((c) => c.account)).toEqual(['wx1', 'wx2', 'wx1', 'wx2']);
    expect(t.store.deliveries('1').filter((d) => d.state === 'sent')).toHaveLength(8);
    const waiting = t.store.batches('1').find((b) => b.state === 'queued');
    expect(waiting?.dueAt.getTime()).toBeGreaterThan(t.clock.now().getTime());
  });

  it('cools a restricted account down and moves its recipients to another account at once', async () => {
    const channel = fakeChannel({
      accounts: ['wx1', 'wx2'],
      maxPerSend: 2,
      outcome: (message, n) =>
        n === 0 && message.address.endsWith('1')
          ? { status: 'failed', failure: 'account_restricted' }
          : { status: 'sent' },
    });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(2));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls.map((c) => [c.account, c.messages.length])).toEqual([
      ['wx1', 2],
      ['wx2', 1],
    ]);
    const [health] = await t.store.accountHealth('channel:test');
    expect(health).toMatchObject({ account: 'wx1', state: 'cooling' });
    expect(health!.until!.getTime() - t.clock.now().getTime()).toBe(4 * 3600 * 1000);
    expect(t.store.deliveries('1').map((d) => d.state)).toEqual(['sent', 'sent']);
    const attempts = t.store.deliveries('1').map((d) => t.store.attempts(d.id));
    expect(attempts.find((a) => a.length === 2)?.map((a) => [a.account, a.status])).toEqual([
      ['wx1', 'failed'],
      ['wx2', 'sent'],
    ]);
  });

  it("skips an account the channel says is not ready, and waits for the channel's time when none is", async () => {
    const channel = fakeChannel({ accounts: ['wx1', 'wx2'], maxPerSend: 2 });
    const asked: [string, string, number][] = [];
    let wx2Ready = true;
    channel.accountReady = async (account, request) => {
      asked.push([account, request.workspaceId, request.count]);
      if (account === 'wx1' || !wx2Ready) {
        return {
          ready: false,
          until: new Date(t.clock.now().getTime() + 3_600_000),
          reason: 'quota_reached',
        };
      }
      return { ready: true };
    };
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(4));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls.map((c) => c.account)).toEqual(['wx2', 'wx2']);
    expect(asked[0]?.slice(1)).toEqual(['1', 2]);
    wx2Ready = false;
    await t.addCampaign({ id: '2' });
    await t.engine.start({ workspaceId: '1', campaignId: '2', actor: t.actor });
    await t.drain();
    expect(channel.calls).toHaveLength(2);
    const waiting = t.store.batches('2').filter((b) => b.state === 'queued');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((b) => b.dueAt.getTime() === t.clock.now().getTime() + 3_600_000)).toBe(true);
    expect(waiting[0]?.waitReason).toBe('quota_reached');
  });

  it('waits for the end of the cool-down when every account is cooling', async () => {
    const channel = fakeChannel({
      accounts: ['wx1'],
      maxPerSend: 2,
      outcome: (_m, n) =>
        n === 0 ? { status: 'failed', failure: 'account_restricted' } : { status: 'sent' },
    });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(2));
    await t.addCampaign({ id: '1', channelPlan: [{ channel: 'channel:test' }] });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls).toHaveLength(1);
    expect((await t.store.accountHealth('channel:test'))[0]?.state).toBe('cooling');
    await t.clock.advance(4 * 3600 * 1000);
    await t.drain();
    expect(channel.calls.map((c) => c.account)).toEqual(['wx1', 'wx1']);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('skips a restricted account until an operator marks it healthy', async () => {
    const channel = fakeChannel({ accounts: ['wx1', 'wx2'], maxPerSend: 1 });
    const t = createTestEngine({ plugins: [channel] });
    const at = t.clock.now();
    await t.store.setAccountHealth(
      {
        channel: 'channel:test',
        account: 'wx1',
        state: 'restricted',
        until: null,
        reason: 'banned',
        updatedAt: at,
      },
      t.actor,
    );
    await t.addContacts(contacts(3));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls.map((c) => c.account)).toEqual(['wx2', 'wx2', 'wx2']);
  });
});
