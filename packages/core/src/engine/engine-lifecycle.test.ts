import { describe, expect, it } from 'vitest';
import { settledCount } from '../domain/counters.js';
import { isQunfaError, QunfaError } from '../errors.js';
import type { ComplianceRule } from '../plugins/rule.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const contacts = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => makeContact({ id: String(from + i) }));
const ref = { workspaceId: '1', campaignId: '1' };

describe('engine: campaign life cycle', () => {
  it('starts, sends every batch and completes with every recipient accounted for', async () => {
    const channel = fakeChannel({
      outcome: (m) =>
        m.address.endsWith('5') ? { status: 'failed', failure: 'invalid_recipient' } : { status: 'sent' },
    });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts([
      ...contacts(10),
      { ...makeContact({ id: '20' }), suppressions: ['unsubscribed'] },
      { ...makeContact({ id: '21' }), suppressions: ['blacklisted'] },
      makeContact({ id: '22' }, []),
    ]);
    await t.addCampaign({ id: '1' });
    const { campaign, summary } = await t.engine.start({ ...ref, actor: t.actor });
    expect(campaign.state).toBe('running');
    expect(summary).toMatchObject({ total: 13, queued: 10, batches: 5 });
    await t.drain();
    const counters = await t.store.counters('1');
    expect(counters).toMatchObject({ total: 13, sent: 9, failed: 1, suppressed: 3, queued: 0, submitted: 0 });
    expect(counters.sent + counters.failed + counters.suppressed).toBe(counters.total);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    expect(t.bus.progress.at(-1)).toMatchObject({ state: 'completed', counters: { sent: 9 } });
    expect(channel.calls.flatMap((c) => c.messages.map((m) => m.content.text))[0]).toBe('hello contact 1');
    expect(channel.calls.every((c) => c.idempotencyKey === c.batchId)).toBe(true);
  });

  it('completes an all-suppressed audience at once', async () => {
    const t = createTestEngine({ plugins: [fakeChannel()] });
    await t.addContacts([{ ...makeContact({ id: '1' }), suppressions: ['erased'] }]);
    await t.addCampaign({ id: '1' });
    const { campaign, summary } = await t.engine.start({ ...ref, actor: t.actor });
    expect(campaign.state).toBe('completed');
    expect(summary?.suppressed).toEqual({ erased: 1 });
    expect(t.bus.progress.at(-1)?.state).toBe('completed');
  });

  it('does not find another workspace’s campaign, and rejects illegal commands', async () => {
    const t = createTestEngine({ plugins: [fakeChannel()] });
    await t.addCampaign({ id: '1', workspaceId: '2' });
    await t.addCampaign({ id: '2', state: 'completed' });
    await expect(t.engine.start({ ...ref, actor: t.actor })).rejects.toSatisfy((e) =>
      isQunfaError(e, 'CAMPAIGN_NOT_FOUND'),
    );
    await expect(t.engine.start({ ...ref, campaignId: '2', actor: t.actor })).rejects.toSatisfy((e) =>
      isQunfaError(e, 'ILLEGAL_TRANSITION'),
    );
    await expect(t.engine.pause({ ...ref, campaignId: '2', actor: t.actor })).rejects.toSatisfy((e) =>
      isQunfaError(e, 'ILLEGAL_TRANSITION'),
    );
  });

  it('writes nothing when a rule blocks the start', async () => {
    const rule: ComplianceRule = {
      kind: 'rule',
      name: 'rule:no-lottery',
      checkContent: (content, ctx) =>
        content.text.includes('中奖') && ctx.channelLimits?.['channel:test']?.maxRecipientsPerSend === 2
          ? [
              {
                rule: 'rule:no-lottery',
                level: 'block',
                code: 'LOTTERY',
                message: 'lottery',
                span: { start: 0, end: 2 },
              },
            ]
          : [],
      checkCampaign: (_c, ctx) => [
        { rule: 'rule:no-lottery', level: 'warn', code: 'SIZE', message: `audience ${ctx.audienceSize}` },
      ],
    };
    const t = createTestEngine({ plugins: [fakeChannel(), rule] });
    await t.addContacts(contacts(3));
    await t.addCampaign({
      id: '1',
      variants: [{ id: '1', key: 'A', weight: 1, content: { type: 'text', text: '中奖了' } }],
    });
    const error = await t.engine.start({ ...ref, actor: t.actor }).catch((e: unknown) => e);
    expect(isQunfaError(error, 'COMPLIANCE_BLOCKED')).toBe(true);
    const findings = (error as { details: { findings: unknown[] } }).details.findings;
    expect(findings).toEqual([
      expect.objectContaining({ code: 'LOTTERY', level: 'block', variantId: '1' }),
      expect.objectContaining({ code: 'SIZE', message: 'audience 3' }),
    ]);
    expect((await t.store.getCampaign('1'))?.state).toBe('draft');
    expect(t.store.deliveries('1')).toEqual([]);
    expect(t.store.batches('1')).toEqual([]);
    expect(t.store.auditLog()).toEqual([]);
  });

  it('stops claiming while paused and goes on when resumed', async () => {
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(6));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    const paused = await t.engine.pause({ ...ref, actor: t.actor });
    expect(paused.state).toBe('paused');
    await t.drain();
    expect(channel.calls).toHaveLength(0);
    expect(t.bus.progress.at(-1)?.state).toBe('paused');
    await t.engine.resume({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls).toHaveLength(3);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('cancels: queued batches are cancelled and never sent', async () => {
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(6));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    const [first] = t.queue.takeDue(1);
    await t.engine.processBatch(first!);
    const cancelled = await t.engine.cancel({ ...ref, actor: t.actor });
    expect(cancelled.state).toBe('cancelled');
    await t.drain({ advance: true });
    expect(channel.calls).toHaveLength(1);
    expect(t.store.batches('1').map((b) => b.state)).toEqual(['done', 'cancelled', 'cancelled']);
    expect(t.bus.progress.at(-1)?.state).toBe('cancelled');
  });

  it('schedules a campaign and starts it on the tick when due', async () => {
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(3));
    const scheduledAt = new Date(t.clock.now().getTime() + 3_600_000);
    await t.addCampaign({ id: '1', scheduledAt, state: 'approved' });
    const { campaign, summary } = await t.engine.start({ ...ref, actor: t.actor });
    expect(campaign.state).toBe('scheduled');
    expect(summary).toBeUndefined();
    await t.clock.advance(3_599_000);
    await t.drain();
    expect((await t.store.getCampaign('1'))?.state).toBe('scheduled');
    await t.clock.advance(1000);
    await t.drain();
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    expect(channel.calls).toHaveLength(2);
  });

  it('cancels a scheduled campaign that its rules block when it is due', async () => {
    let blocked = false;
    const rule: ComplianceRule = {
      kind: 'rule',
      name: 'rule:switch',
      checkCampaign: () =>
        blocked ? [{ rule: 'rule:switch', level: 'block', code: 'OFF', message: 'off' }] : [],
    };
    const t = createTestEngine({ plugins: [fakeChannel(), rule] });
    await t.addCampaign({ id: '1', scheduledAt: new Date(t.clock.now().getTime() + 1000) });
    await t.engine.start({ ...ref, actor: t.actor });
    blocked = true;
    await t.clock.advance(1000);
    await t.engine.tick();
    expect((await t.store.getCampaign('1'))?.state).toBe('cancelled');
  });

  it('tries a scheduled start that failed again after a growing delay, not on every tick', async () => {
    let calls = 0;
    let healthy = true;
    const flaky: ComplianceRule = {
      kind: 'rule',
      name: 'rule:flaky',
      checkCampaign: () => {
        calls++;
        if (!healthy) throw new Error('lexicon service down');
        return [];
      },
    };
    const t = createTestEngine({ plugins: [fakeChannel(), flaky] });
    await t.addContacts(contacts(2));
    await t.addCampaign({ id: '1', scheduledAt: new Date(t.clock.now().getTime() + 1000) });
    await t.engine.start({ ...ref, actor: t.actor });
    healthy = false;
    calls = 0;
    const tickFor = async (ms: number) => {
      for (let elapsed = 0; elapsed < ms; elapsed += 250) {
        await t.clock.advance(250);
        await t.engine.tick();
      }
    };
    await tickFor(1000 + 9_750); // due, then 39 more ticks inside the first 10 s back-off
    expect(calls).toBe(1);
    await tickFor(250); // 10 s after the failure: a second try, which fails; next in 20 s
    expect(calls).toBe(2);
    await tickFor(19_750);
    expect(calls).toBe(2);
    healthy = true;
    await tickFor(250);
    expect(calls).toBe(3);
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
  });

  it('cancels a scheduled campaign that is invalid as it stands when it is due', async () => {
    let invalid = false;
    const strict: ComplianceRule = {
      kind: 'rule',
      name: 'rule:strict',
      checkCampaign: () => {
        if (invalid) throw new QunfaError('INVALID_INPUT', 'no longer valid', { plugin: 'rule:strict' });
        return [];
      },
    };
    const t = createTestEngine({ plugins: [fakeChannel(), strict] });
    await t.addCampaign({ id: '1', scheduledAt: new Date(t.clock.now().getTime() + 1000) });
    await t.engine.start({ ...ref, actor: t.actor });
    invalid = true;
    await t.clock.advance(1000);
    await t.engine.tick();
    expect((await t.store.getCampaign('1'))?.state).toBe('cancelled');
  });

  it('coalesces progress events, whose counters never go backwards', async () => {
    const t = createTestEngine({ plugins: [fakeChannel({ maxPerSend: 1 })] });
    await t.addContacts(contacts(30));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    const jobs = t.queue.takeDue();
    for (const [i, job] of jobs.entries()) {
      await t.engine.processBatch(job);
      if (i % 3 === 2) await t.clock.advance(100);
    }
    await t.engine.close();
    const events = t.bus.progress;
    // 30 batches over 1 s of fake time: about 5 a second, plus the start and the final state.
    expect(events.length).toBeLessThanOrEqual(8);
    expect(events.at(-1)).toMatchObject({ state: 'completed', counters: { sent: 30 } });
    const settled = events.map((e) => settledCount(e.counters));
    expect(settled).toEqual([...settled].sort((a, b) => a - b));
  });
});
