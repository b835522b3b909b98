import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { calendarDay } from './calendar-day.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
/** Contacts with a phone and an e-mail address. */
const contacts = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    makeContact({ id: String(i + 1) }, [
      { kind: 'phone', value: `+8613800000${String(i + 1).padStart(3, '0')}` },
      { kind: 'email', value: `c${i + 1}@example.com` },
    ]),
  );

describe('engine: a step whose daily quota is spent', () => {
  it('plans those it cannot cover today on the next step, from what the limiter says is left', async () => {
    const sms = fakeChannel({
      name: 'channel:sms',
      accounts: ['s1', 's2'],
      maxSendsPerDay: 5,
      maxPerSend: 10,
    });
    const email = fakeChannel({ name: 'channel:email', kinds: ['email'], maxPerSend: 10 });
    const t = createTestEngine({ plugins: [sms, email] });
    await t.addContacts(contacts(12));
    await t.addCampaign({ id: '1', channelPlan: [{ channel: 'channel:sms' }, { channel: 'channel:email' }] });
    // Another campaign took 3 of s1's 5 sends today: 2 + 5 are left.
    const day = calendarDay(t.clock.now(), 'Asia/Shanghai');
    await t.limiter.consumeQuota('channel:sms:s1', 3, { limit: 5, start: day.start, end: day.end });
    // The dry run says so before the start, and sends them on the step they go to.
    const forecast = await t.engine.forecast({ ...ref, actor: t.actor, prices: [] });
    expect(forecast.movedForQuota).toEqual([{ from: 'channel:sms', to: 'channel:email', count: 5 }]);
    expect(forecast.channels.map((c) => [c.channel, c.messages])).toEqual([
      ['channel:sms', 7],
      ['channel:email', 5],
    ]);
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    expect(summary?.movedForQuota).toEqual([{ from: 'channel:sms', to: 'channel:email', count: 5 }]);
    await t.drain();
    expect(sms.calls.flatMap((c) => c.messages)).toHaveLength(7);
    expect(email.calls.flatMap((c) => c.messages)).toHaveLength(5);
    expect(t.store.deliveries('1').every((d) => d.state === 'sent')).toBe(true);
  });

  it('leaves a one-step plan to wait for the next day, as before', async () => {
    const sms = fakeChannel({ name: 'channel:sms', maxSendsPerDay: 5, maxPerSend: 10 });
    const t = createTestEngine({ plugins: [sms] });
    await t.addContacts(contacts(8));
    await t.addCampaign({ id: '1', channelPlan: [{ channel: 'channel:sms' }] });
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    expect(summary?.movedForQuota).toBeUndefined();
    expect(summary?.queued).toBe(8);
  });

  it('counts a cooling account out of the room it has', async () => {
    const sms = fakeChannel({
      name: 'channel:sms',
      accounts: ['s1', 's2'],
      maxSendsPerDay: 5,
      maxPerSend: 10,
    });
    const email = fakeChannel({ name: 'channel:email', kinds: ['email'], maxPerSend: 10 });
    const t = createTestEngine({ plugins: [sms, email] });
    await t.addContacts(contacts(8));
    await t.addCampaign({ id: '1', channelPlan: [{ channel: 'channel:sms' }, { channel: 'channel:email' }] });
    const until = new Date(t.clock.now().getTime() + 86_400_000);
    await t.store.setAccountHealth(
      {
        channel: 'channel:sms',
        account: 's2',
        state: 'cooling',
        until,
        reason: 'test',
        updatedAt: t.clock.now(),
      },
      t.actor,
    );
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    expect(summary?.movedForQuota).toEqual([{ from: 'channel:sms', to: 'channel:email', count: 3 }]);
  });
});
