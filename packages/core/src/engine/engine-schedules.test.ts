import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = (n: number) => Array.from({ length: n }, (_, i) => makeContact({ id: String(i + 1) }));

describe('engine: recurring and triggered campaigns', () => {
  it('runs a recurring template at each cron time, each run with its own deliveries, once', async () => {
    const channel = fakeChannel({ maxPerSend: 10 });
    // 2026-01-05T02:00Z is 10:00 in Shanghai; start an hour before.
    const t = createTestEngine({ plugins: [channel], start: '2026-01-05T01:00:00Z' });
    await t.addContacts(contacts(3));
    await t.addCampaign({
      id: '1',
      schedule: { kind: 'recurring', cron: '0 10 * * *', timeZone: 'Asia/Shanghai' },
    });
    const { campaign } = await t.engine.start({ ...ref, actor: t.actor });
    expect(campaign.state).toBe('scheduled');
    expect((await t.store.getCampaign('1'))?.nextRunAt?.toISOString()).toBe('2026-01-05T02:00:00.000Z');
    expect(t.store.deliveries('1')).toEqual([]);

    await t.engine.tick();
    expect(channel.calls).toHaveLength(0);
    await t.clock.advance(3600_000);
    await t.engine.tick();
    await t.engine.tick();
    await t.drain();
    const runs = t.store.campaigns().filter((c) => c.runOf?.campaignId === '1');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ state: 'completed', runOf: { key: '2026-01-05T02:00:00.000Z' } });
    expect(t.store.deliveries(runs[0]!.id).map((d) => d.state)).toEqual(['sent', 'sent', 'sent']);
    expect(await t.store.getCampaign('1')).toMatchObject({
      state: 'scheduled',
      nextRunAt: new Date('2026-01-06T02:00:00.000Z'),
    });

    await t.clock.advance(24 * 3600_000);
    await t.engine.tick();
    await t.drain();
    expect(t.store.campaigns().filter((c) => c.runOf?.campaignId === '1')).toHaveLength(2);
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(6);

    await t.engine.cancel({ ...ref, actor: t.actor });
    await t.clock.advance(24 * 3600_000);
    await t.engine.tick();
    expect(t.store.campaigns().filter((c) => c.runOf?.campaignId === '1')).toHaveLength(2);
  });

  it('starts one run per idempotency key when triggered, and only once the template is started', async () => {
    const channel = fakeChannel({ maxPerSend: 10 });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(2));
    await t.addCampaign({ id: '1', schedule: { kind: 'triggered' } });
    await expect(
      t.engine.trigger({ ...ref, actor: t.actor, idempotencyKey: 'order-1' }),
    ).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    await t.engine.start({ ...ref, actor: t.actor });
    const first = await t.engine.trigger({ ...ref, actor: t.actor, idempotencyKey: 'order-1' });
    const again = await t.engine.trigger({ ...ref, actor: t.actor, idempotencyKey: 'order-1' });
    const other = await t.engine.trigger({ ...ref, actor: t.actor, idempotencyKey: 'order-2' });
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    await t.drain();
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(4);
    await expect(
      t.engine.trigger({ workspaceId: '2', campaignId: '1', actor: t.actor, idempotencyKey: 'x' }),
    ).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_FOUND' });
  });

  it('sends a follow-up run to its one contact only, once per key', async () => {
    const channel = fakeChannel({ maxPerSend: 10 });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(3));
    await t.addCampaign({ id: '1', schedule: { kind: 'triggered' } });
    const follow = { ...ref, actor: t.actor, key: '7:2', contactId: '2' };
    await expect(t.engine.followUp(follow)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    await t.engine.start({ ...ref, actor: t.actor });
    const run = await t.engine.followUp(follow);
    expect((await t.engine.followUp(follow)).id).toBe(run.id);
    expect(run.runOf).toEqual({ campaignId: '1', key: 'follow-up:7:2', contactIds: ['2'] });
    await t.drain();
    expect(t.store.deliveries(run.id).map((d) => [d.contactId, d.state])).toEqual([['2', 'sent']]);
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(1);
  });
});
