import { describe, expect, it } from 'vitest';
import type { AbTest } from '../ab/ab-test.js';
import type { Campaign } from '../domain/campaign.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const HOUR = 3_600_000;

/** A channel on which B's message fails for one recipient in 5, A's for one in 20. */
function channelFavouringA() {
  return fakeChannel({
    maxPerSend: 100,
    outcome: (message) => {
      const n = Number(message.address.slice(-6));
      const fails = message.content.text === 'B' ? n % 5 === 0 : n % 20 === 0;
      return fails ? { status: 'failed', failure: 'invalid_recipient' } : { status: 'sent' };
    },
  });
}

async function setUp(abTest: Partial<AbTest> = {}, contacts = 5000) {
  const channel = channelFavouringA();
  const t = createTestEngine({ plugins: [channel], start: '2026-03-02T01:00:00Z' });
  await t.addContacts(Array.from({ length: contacts }, (_, i) => makeContact({ id: String(i + 1) })));
  const campaign: Partial<Campaign> & { id: string } = {
    id: '1',
    variants: [
      { id: '11', key: 'A', weight: 1, content: { type: 'text', text: 'A' } },
      { id: '12', key: 'B', weight: 1, content: { type: 'text', text: 'B' } },
    ],
    batchIntervalMs: 1000,
    abTest: {
      sampleSizePerVariant: 1000,
      testPercent: null,
      holdoutPercent: 10,
      winnerMetric: 'delivery_rate',
      decisionDelayMs: HOUR,
      winnerSelection: 'auto',
      ...abTest,
    },
  };
  await t.addCampaign(campaign);
  return { t, channel };
}

/** Moves the fake clock forward to an instant. */
const moveTo = (t: { clock: { now(): Date; advance(ms: number): Promise<void> } }, iso: string) =>
  t.clock.advance(new Date(iso).getTime() - t.clock.now().getTime());

type Harness = Awaited<ReturnType<typeof setUp>>['t'];

/** Sends every batch that falls due before `iso`, moving the clock batch by batch, then moves it to `iso`. */
async function sendUntil(t: Harness, iso = '2026-03-02T01:59:00Z') {
  const until = new Date(iso).getTime();
  for (;;) {
    await t.drain();
    const next = t.store
      .batches('1')
      .filter((b) => b.state === 'queued')
      .map((b) => b.dueAt.getTime())
      .sort((a, b) => a - b)[0];
    if (next === undefined || next > until) break;
    await t.clock.advance(Math.max(0, next - t.clock.now().getTime()));
  }
  await moveTo(t, iso);
}

const byState = (t: { store: { deliveries(id: string): { state: string }[] } }) => {
  const counts: Record<string, number> = {};
  for (const d of t.store.deliveries('1')) counts[d.state] = (counts[d.state] ?? 0) + 1;
  return counts;
};

describe('engine: A/B tests', () => {
  it('sends the test sample, decides at the decision time, then sends the winner to the rest once', async () => {
    const { t, channel } = await setUp();
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    const holdout = summary!.suppressed.ab_holdout ?? 0;
    expect(summary!.total).toBe(5000);
    // 10 % hold-out and 1,000 per variant, by a stable hash: close to, not exactly, those sizes.
    expect(Math.abs(holdout - 500)).toBeLessThan(80);
    expect(Math.abs(summary!.queued - 2000)).toBeLessThan(120);
    expect(summary!.waiting).toBe(5000 - holdout - summary!.queued);
    expect(await t.store.getCampaign('1')).toMatchObject({
      abState: { phase: 'testing', decideAt: new Date('2026-03-02T02:00:00Z') },
    });

    await sendUntil(t);
    const sentInTest = channel.calls.flatMap((c) => c.messages).length;
    expect(sentInTest).toBe(summary!.queued);
    expect(byState(t).waiting).toBe(summary!.waiting);
    expect((await t.store.getCampaign('1'))?.state).toBe('running');

    await moveTo(t, '2026-03-02T01:59:59.999Z');
    await t.engine.tick();
    expect((await t.store.getCampaign('1'))?.abState?.phase).toBe('testing');

    await moveTo(t, '2026-03-02T02:00:00Z');
    // Two workers look at once: one decides, the other finds it decided.
    await Promise.all([t.engine.tick(), t.engine.tick()]);
    const decided = await t.store.getCampaign('1');
    expect(decided?.abState).toMatchObject({
      phase: 'decided',
      winnerVariantId: '11',
      recommendedVariantId: '11',
      decidedBy: { kind: 'system', id: 'scheduler' },
      decidedAt: new Date('2026-03-02T02:00:00Z'),
    });
    const comparison = decided!.abState!.comparison!;
    expect(comparison.variants.map((v) => v.key)).toEqual(['A', 'B']);
    expect(comparison.variants[0]!.rate).toBeGreaterThan(0.9);
    expect(comparison.variants[1]!.rate).toBeLessThan(0.85);
    expect(comparison.pValue).toBeLessThan(0.001);
    expect(comparison.holdout).toBe(holdout);
    expect(t.store.auditLog().filter((e) => e.action === 'ab_decided')).toHaveLength(1);
    // The rest is paced like the campaign: from the decision, a batch a second, seq after the test's.
    const restBatches = t.store.batches('1').filter((b) => b.state === 'queued');
    expect(restBatches[0]).toMatchObject({ seq: 21, dueAt: new Date('2026-03-02T02:00:00Z') });
    expect(restBatches[1]?.dueAt).toEqual(new Date('2026-03-02T02:00:01Z'));
    expect(restBatches.reduce((n, b) => n + b.size, 0)).toBe(summary!.waiting);

    await sendUntil(t, '2026-03-02T03:00:00Z');
    const messages = channel.calls.flatMap((c) => c.messages);
    expect(messages.length).toBe(summary!.queued + summary!.waiting);
    expect(new Set(messages.map((m) => m.address)).size).toBe(messages.length);
    expect(messages.slice(sentInTest).every((m) => m.content.text === 'A')).toBe(true);
    const states = byState(t);
    expect(states.waiting).toBeUndefined();
    expect(states.queued).toBeUndefined();
    const heldOut = t.store.deliveries('1').filter((d) => d.suppressionReason === 'ab_holdout');
    expect(heldOut).toHaveLength(holdout);
    expect(heldOut.every((d) => d.state === 'suppressed' && d.variantId === null)).toBe(true);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('waits for an operator in confirm mode, who may pick another variant', async () => {
    const { t, channel } = await setUp({ winnerSelection: 'confirm', holdoutPercent: 0 });
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    await sendUntil(t);
    await expect(t.engine.confirmAbWinner({ ...ref, actor: t.actor })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    await moveTo(t, '2026-03-02T02:00:00Z');
    await t.engine.tick();
    const waiting = await t.store.getCampaign('1');
    expect(waiting).toMatchObject({
      state: 'running',
      abState: { phase: 'awaiting_decision', recommendedVariantId: '11', winnerVariantId: null },
    });
    expect(byState(t).waiting).toBe(summary!.waiting);
    expect(await t.store.completeIfDone('1', t.clock.now())).toBeUndefined();

    await expect(t.engine.confirmAbWinner({ ...ref, actor: t.actor, variantId: '99' })).rejects.toMatchObject(
      { code: 'INVALID_INPUT' },
    );
    expect((await t.store.getCampaign('1'))?.abState?.phase).toBe('awaiting_decision');

    const confirmed = await t.engine.confirmAbWinner({ ...ref, actor: t.actor, variantId: '12' });
    expect(confirmed.abState).toMatchObject({ phase: 'decided', winnerVariantId: '12', decidedBy: t.actor });
    await expect(t.engine.confirmAbWinner({ ...ref, actor: t.actor })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    await sendUntil(t, '2026-03-02T03:00:00Z');
    const rest = channel.calls.flatMap((c) => c.messages).slice(summary!.queued);
    expect(rest).toHaveLength(summary!.waiting);
    expect(rest.every((m) => m.content.text === 'B')).toBe(true);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('never sends the rest of a campaign cancelled while it awaits the decision', async () => {
    const { t, channel } = await setUp({ winnerSelection: 'confirm' });
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    await sendUntil(t);
    await moveTo(t, '2026-03-02T02:00:00Z');
    await t.engine.tick();
    await t.engine.cancel({ ...ref, actor: t.actor });
    await expect(t.engine.confirmAbWinner({ ...ref, actor: t.actor })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    await t.clock.advance(24 * HOUR);
    await t.drain();
    await t.engine.tick();
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(summary!.queued);
    // The rest that never got a winner ends suppressed as cancelled: nothing is left waiting.
    expect(byState(t).waiting).toBeUndefined();
    const counters = await t.store.counters('1');
    const planned = Object.values(summary!.suppressed).reduce((a, n) => a + (n ?? 0), 0);
    expect(counters.suppressed).toBe(planned + summary!.waiting);
    expect((await t.store.getCampaign('1'))?.state).toBe('cancelled');
  });

  it('takes a confirmation while paused and sends the rest only once resumed', async () => {
    const { t, channel } = await setUp({ winnerSelection: 'confirm' });
    const { summary } = await t.engine.start({ ...ref, actor: t.actor });
    await sendUntil(t);
    await moveTo(t, '2026-03-02T02:00:00Z');
    await t.engine.tick();
    await t.engine.pause({ ...ref, actor: t.actor });
    const confirmed = await t.engine.confirmAbWinner({ ...ref, actor: t.actor });
    expect(confirmed).toMatchObject({
      state: 'paused',
      abState: { phase: 'decided', winnerVariantId: '11' },
    });
    await t.clock.advance(HOUR);
    await t.drain();
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(summary!.queued);
    await t.engine.resume({ ...ref, actor: t.actor });
    await sendUntil(t, '2026-03-02T04:00:00Z');
    expect(channel.calls.flatMap((c) => c.messages)).toHaveLength(summary!.queued + summary!.waiting);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('defers the decision of a paused campaign until it resumes, and skips a cancelled one', async () => {
    const { t } = await setUp();
    await t.engine.start({ ...ref, actor: t.actor });
    await sendUntil(t);
    await t.engine.pause({ ...ref, actor: t.actor });
    await moveTo(t, '2026-03-02T03:00:00Z');
    await t.engine.tick();
    expect((await t.store.getCampaign('1'))?.abState?.phase).toBe('testing');
    await t.engine.resume({ ...ref, actor: t.actor });
    await t.engine.tick();
    // Decided at the first look after resuming.
    expect((await t.store.getCampaign('1'))?.abState?.phase).toBe('decided');

    const other = await setUp();
    await other.t.engine.start({ ...ref, actor: other.t.actor });
    await other.t.engine.cancel({ ...ref, actor: other.t.actor });
    await moveTo(other.t, '2026-03-02T03:00:00Z');
    await other.t.engine.tick();
    expect((await other.t.store.getCampaign('1'))?.abState?.phase).toBe('testing');
  });

  it('resends the failed recipients of an A/B campaign each with the variant it had', async () => {
    const { t, channel } = await setUp();
    await t.engine.start({ ...ref, actor: t.actor });
    await sendUntil(t);
    await moveTo(t, '2026-03-02T02:00:00Z');
    await t.engine.tick();
    await sendUntil(t, '2026-03-02T03:00:00Z');
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    const failed = t.store.deliveries('1').filter((d) => d.state === 'failed');
    const textOf = new Map(
      failed.map((d) => [`+86138${d.contactId.padStart(8, '0')}`, d.variantId === '11' ? 'A' : 'B']),
    );
    expect(new Set(textOf.values())).toEqual(new Set(['A', 'B']));
    await t.addCampaign({
      id: '2',
      resendOf: { campaignId: '1', states: ['failed'] },
      variants: [
        { id: '21', key: 'A', weight: 1, content: { type: 'text', text: 'A' } },
        { id: '22', key: 'B', weight: 1, content: { type: 'text', text: 'B' } },
      ],
    });
    const before = channel.calls.length;
    await t.engine.start({ workspaceId: '1', campaignId: '2', actor: t.actor });
    await t.drain({ advance: true });
    const resent = channel.calls.slice(before).flatMap((c) => c.messages);
    expect(resent).toHaveLength(failed.length);
    for (const m of resent) expect(m.content.text).toBe(textOf.get(m.address));
  });

  it('splits each run of a template on the audience it has then', async () => {
    const { t } = await setUp({ sampleSizePerVariant: 2000 }, 3000);
    const template = await t.store.getCampaign('1');
    await t.store.addCampaign({ ...template!, id: '5', schedule: { kind: 'triggered' } });
    const five = { workspaceId: '1', campaignId: '5', actor: t.actor };
    // 2 × 2,000 does not fit 3,000 contacts, but a template sends nothing itself.
    expect((await t.engine.start(five)).campaign.state).toBe('scheduled');
    await expect(t.engine.trigger({ ...five, idempotencyKey: 'k1' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'abTest.sampleSizePerVariant' },
    });
    await t.addContacts(Array.from({ length: 2000 }, (_, i) => makeContact({ id: String(10_000 + i) })));
    const run = await t.engine.trigger({ ...five, idempotencyKey: 'k2' });
    expect(run).toMatchObject({ state: 'running', abState: { phase: 'testing' } });
    expect(t.store.deliveries(run.id).filter((d) => d.state === 'waiting').length).toBeGreaterThan(0);
  });

  it('refuses a sample that does not fit the audience, and starts nothing', async () => {
    const { t } = await setUp({ sampleSizePerVariant: 3000 }, 5000);
    await expect(t.engine.start({ ...ref, actor: t.actor })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'abTest.sampleSizePerVariant' },
    });
    expect(await t.store.getCampaign('1')).toMatchObject({ state: 'draft', abState: null });
    expect(t.store.deliveries('1')).toEqual([]);
  });
});
