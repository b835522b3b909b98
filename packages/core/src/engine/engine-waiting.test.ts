import { describe, expect, it } from 'vitest';
import type { ComplianceRule } from '../plugins/rule.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';
import { recordingLogger } from './recording-logger.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = (n: number) => Array.from({ length: n }, (_, i) => makeContact({ id: String(i + 1) }));
const start = new Date('2026-05-01T15:00:00Z');
const later = new Date('2026-05-02T00:00:00Z');

/** Defers even-numbered contacts until `until` for `reason`, like quiet hours in their time zone. */
function deferEven(until: Date, reason = 'quiet_hours'): ComplianceRule {
  return {
    kind: 'rule',
    name: 'rule:test-defer',
    checkRecipients: (batch, ctx) =>
      batch
        .filter((c) => Number(c.contactId) % 2 === 0 && ctx.now < until)
        .map((c) => ({ deliveryId: c.deliveryId, action: 'defer', until, reason })),
  };
}

describe('engine: what a campaign waits for', () => {
  it('reports deferrals by reason in progress events, logs them once at info, and sends them when due', async () => {
    const channel = fakeChannel({ maxPerSend: 2 });
    const { logger, lines } = recordingLogger();
    const t = createTestEngine({ plugins: [channel, deferEven(later)], start, engine: { logger } });
    await t.addContacts(contacts(6));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(t.store.deliveries('1').filter((d) => d.state === 'sent')).toHaveLength(3);
    await t.clock.advance(1000); // the coalesced progress event goes out
    await t.engine.close();
    const last = t.bus.progress.at(-1)!;
    expect(last.state).toBe('running');
    expect(last.waiting).toEqual([
      {
        reason: 'quiet_hours',
        count: 3,
        until: later.toISOString(),
        lastUntil: later.toISOString(),
        detail: null,
      },
    ]);
    const info = lines.filter((l) => l.level === 'info' && l.message === 'campaign waiting');
    expect(info).toEqual([
      {
        level: 'info',
        message: 'campaign waiting',
        fields: expect.objectContaining({
          campaignId: '1',
          reason: 'quiet_hours',
          until: later.toISOString(),
          plugin: 'rule:test-defer',
        }),
      },
    ]);
    // Three batches deferred their even recipients: one info line, the other two at debug.
    expect(lines.filter((l) => l.message === 'campaign waiting' && l.level === 'debug')).toHaveLength(2);
    await t.drain({ advance: true });
    expect(t.store.deliveries('1').filter((d) => d.state === 'sent')).toHaveLength(6);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('says a batch waits for a cool-down or a quota, per channel', async () => {
    const channel = fakeChannel({
      accounts: ['wx1'],
      maxPerSend: 2,
      outcome: (_m, n) =>
        n === 0 ? { status: 'failed', failure: 'account_restricted' } : { status: 'sent' },
    });
    const t = createTestEngine({ plugins: [channel], start });
    await t.addContacts(contacts(4));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const waiting = await t.store.waitingBatches('1', t.clock.now());
    expect(waiting.map((w) => [w.reason, w.recipients])).toEqual([['account_cooldown', 4]]);

    const quota = fakeChannel({ accounts: ['wx1'], maxSendsPerDay: 2, maxPerSend: 2 });
    const q = createTestEngine({ plugins: [quota], start });
    await q.addContacts(contacts(4));
    await q.addCampaign({ id: '1' });
    await q.engine.start({ ...ref, actor: q.actor });
    await q.drain();
    expect((await q.store.waitingBatches('1', q.clock.now())).map((w) => [w.reason, w.recipients])).toEqual([
      ['quota_reached', 2],
    ]);
  });

  it('brings deferrals forward when a setting they depend on changes', async () => {
    const channel = fakeChannel({ maxPerSend: 10 });
    let until = later;
    const rule: ComplianceRule = {
      kind: 'rule',
      name: 'rule:test-defer',
      checkRecipients: (batch, ctx) =>
        until > ctx.now
          ? batch.map((c) => ({ deliveryId: c.deliveryId, action: 'defer', until, reason: 'quiet_hours' }))
          : [],
    };
    const t = createTestEngine({ plugins: [channel, rule], start });
    await t.addContacts(contacts(3));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls).toHaveLength(0);
    until = start;
    expect(await t.engine.reconsiderDeferrals({ workspaceId: '2', reason: 'quiet_hours' })).toBe(0);
    expect(await t.engine.reconsiderDeferrals({ workspaceId: '1', reason: 'quiet_hours' })).toBe(1);
    await t.drain();
    expect(t.clock.now()).toEqual(start);
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(3);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });
});
