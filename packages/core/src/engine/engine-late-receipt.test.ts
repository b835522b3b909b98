import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = [1, 2].map((i) =>
  makeContact({ id: String(i) }, [
    { kind: 'phone', value: `+861380000000${i}` },
    { kind: 'email', value: `c${i}@example.com` },
  ]),
);

/** A campaign of two over SMS then e-mail, completed with both texts sent. */
async function completed(channelMode: 'first' | 'all' = 'first') {
  const sms = fakeChannel({ name: 'channel:sms' });
  const email = fakeChannel({ name: 'channel:email', kinds: ['email'] });
  const t = createTestEngine({ plugins: [sms, email] });
  await t.addContacts(contacts);
  await t.addCampaign({
    id: '1',
    channelMode,
    channelPlan: [{ channel: 'channel:sms' }, { channel: 'channel:email' }],
  });
  await t.engine.start({ ...ref, actor: t.actor });
  await t.drain();
  expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  const late = async (contactId: string, failure: 'invalid_recipient' | 'network') => {
    const d = t.store.deliveries('1').find((x) => x.contactId === contactId && x.channel === 'channel:sms')!;
    await t.clock.advance(3_600_000);
    return t.engine.applyReceipts([
      {
        channel: 'channel:sms',
        providerMessageId: d.providerMessageId!,
        state: 'failed',
        failure,
        error: 'carrier: number out of service',
        at: t.clock.now(),
        source: 'callback',
      },
    ]);
  };
  return { t, sms, email, late };
}

describe('engine: a failure receipt after the campaign completed', () => {
  it('counts it, reopens the campaign, sends the next step and completes again', async () => {
    const { t, email, late } = await completed();
    await late('1', 'invalid_recipient');
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
    await t.drain();
    expect(email.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['c1@example.com']);
    const campaign = await t.store.getCampaign('1');
    expect(campaign?.state).toBe('completed');
    expect(campaign?.finishedAt?.getTime()).toBe(t.clock.now().getTime());
    expect(await t.store.counters('1')).toMatchObject({ total: 2, sent: 2, failed: 0, queued: 0 });
    expect(t.store.deliveries('1').map((d) => [d.contactId, d.channel, d.state])).toEqual([
      ['1', 'channel:email', 'sent'],
      ['2', 'channel:sms', 'sent'],
    ]);
  });

  it('a crash between counting a late failure and escalating it: the next tick sends the fallback once', async () => {
    const { t, sms, email } = await completed();
    const d = t.store.deliveries('1').find((x) => x.contactId === '1')!;
    await t.clock.advance(3_600_000);
    // What a process that died right after the receipt's transaction left: the store's write only.
    await t.store.applyReceipts([
      {
        channel: 'channel:sms',
        providerMessageId: d.providerMessageId!,
        state: 'failed',
        failure: 'invalid_recipient',
        at: t.clock.now(),
        source: 'callback',
      },
    ]);
    expect(await t.store.counters('1')).toMatchObject({ sent: 1, failed: 1 });
    await t.drain();
    expect(email.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['c1@example.com']);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    await t.clock.advance(60_000);
    await t.drain();
    expect(email.calls).toHaveLength(1);
    expect(sms.calls.flatMap((c) => c.messages)).toHaveLength(2);
  });

  it('counts a failure the plan does not escalate, and leaves the campaign completed', async () => {
    const { t, email, late } = await completed();
    await late('2', 'network');
    await t.drain();
    expect(email.calls).toHaveLength(0);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    expect(await t.store.counters('1')).toMatchObject({
      total: 2,
      sent: 1,
      failed: 1,
      failedByClass: { network: 1 },
    });
  });

  it('counts it in an all-channels campaign without sending the e-mail twice', async () => {
    const { t, email, late } = await completed('all');
    expect(email.calls.flatMap((c) => c.messages)).toHaveLength(2);
    await late('1', 'invalid_recipient');
    await t.drain();
    expect(email.calls.flatMap((c) => c.messages)).toHaveLength(2);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    expect(await t.store.counters('1')).toMatchObject({ total: 4, sent: 3, failed: 1 });
  });
});

describe('engine: progress of a counter change after completion', () => {
  it('publishes the late failure of a completed campaign with the new counters', async () => {
    const { t, late } = await completed();
    const before = t.bus.progress.length;
    await late('2', 'network');
    await t.drain();
    await t.clock.advance(1_000);
    const after = t.bus.progress.slice(before);
    expect(after.at(-1)).toMatchObject({
      campaignId: '1',
      state: 'completed',
      counters: { sent: 1, failed: 1, failedByClass: { network: 1 } },
    });
  });

  it('publishes the reopening at once, then the second completion', async () => {
    const { t, late } = await completed();
    const before = t.bus.progress.length;
    await late('1', 'invalid_recipient');
    // A state change is flushed, not coalesced: a page sees the campaign running again before its
    // fallback goes out, even when the fallback completes it within the coalescing interval.
    expect(t.bus.progress.slice(before).at(-1)).toMatchObject({ state: 'running', counters: { queued: 1 } });
    await t.drain();
    expect(t.bus.progress.at(-1)).toMatchObject({ state: 'completed', counters: { sent: 2, failed: 0 } });
  });
});
