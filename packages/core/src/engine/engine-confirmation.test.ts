import { describe, expect, it } from 'vitest';
import type { ChannelPlanStep } from '../domain/campaign.js';
import { isQunfaError } from '../errors.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';
import { describeWaiting } from './waiting.js';

const ref = { workspaceId: '1', campaignId: '1' };

/** A channel whose sends wait for a person's confirmation, with `deadlineMs` as its default deadline. */
function confirming(deadlineMs?: number) {
  const channel = fakeChannel({
    name: 'channel:first',
    outcome: () => ({ status: 'sent', awaitingConfirmation: true }),
  });
  channel.limits = { ...channel.limits, confirmation: deadlineMs === undefined ? {} : { deadlineMs } };
  return channel;
}

async function run(first: ReturnType<typeof confirming>, step: Omit<ChannelPlanStep, 'channel'>) {
  const t = createTestEngine({ plugins: [first, fakeChannel({ name: 'channel:second' })] });
  await t.addContacts([makeContact({ id: '1' })]);
  await t.addCampaign({
    id: '1',
    channelPlan: [{ channel: 'channel:first', ...step }, { channel: 'channel:second' }],
  });
  const started = await t.engine.start({ ...ref, actor: t.actor }).catch((e: unknown) => e);
  await t.drain();
  return { t, started };
}

describe('engine: steps whose sends wait for confirmation', () => {
  it("hands the channel the step's deadline, else the channel's, else the escalation window", async () => {
    const cases: [number | undefined, Omit<ChannelPlanStep, 'channel'>, number | undefined][] = [
      [undefined, { confirmationDeadlineMs: 5_000 }, 5_000],
      [7_000, {}, 7_000],
      [undefined, { escalateAfter: { ms: 9_000, unless: 'delivered' } }, 9_000],
      [7_000, { confirmationDeadlineMs: 3_000, escalateAfter: { ms: 9_000, unless: 'delivered' } }, 3_000],
      [undefined, {}, undefined],
    ];
    for (const [channelDefault, step, expected] of cases) {
      const first = confirming(channelDefault);
      await run(first, step);
      expect([step, first.calls[0]?.confirmationDeadlineMs]).toEqual([step, expected]);
    }
  });

  it('refuses to start a step that escalates before its confirmation deadline, naming the channel', async () => {
    const { t, started } = await run(confirming(3_600_000), {
      escalateAfter: { ms: 1_800_000, unless: 'delivered' },
    });
    expect(isQunfaError(started, 'COMPLIANCE_BLOCKED')).toBe(true);
    const findings = (
      started as { details: { findings: { code: string; channel: string; level: string }[] } }
    ).details.findings;
    expect(findings.map((f) => [f.code, f.channel, f.level])).toEqual([
      ['ESCALATION_BEFORE_CONFIRMATION_DEADLINE', 'channel:first', 'block'],
    ]);
    expect((await t.store.getCampaign('1'))?.state).toBe('draft');
  });

  it('keeps the campaign running while confirmations are held, and moves an unconfirmed recipient on at once', async () => {
    const first = confirming();
    const { t } = await run(first, { escalateAfter: { ms: 60_000, unless: 'delivered' } });
    await t.clock.advance(10 * 60_000);
    await t.drain();
    // Past the window, not moved: the confirmation may still come.
    expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([
      ['channel:first', 'awaiting_confirmation'],
    ]);
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
    await t.engine.applyReceipts([
      {
        channel: 'channel:first',
        providerMessageId: t.store.deliveries('1')[0]!.providerMessageId!,
        state: 'failed',
        failure: 'unconfirmed',
        at: t.clock.now(),
        source: 'poll',
      },
    ]);
    await t.drain();
    expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([['channel:second', 'sent']]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('keeps a one-step campaign running until every held send has its result, then completes it', async () => {
    const first = confirming();
    const t = createTestEngine({ plugins: [first] });
    await t.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
    await t.addCampaign({ id: '1', channelPlan: [{ channel: 'channel:first' }] });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    await t.clock.advance(10 * 60_000);
    await t.drain();
    // Batches are done, but both recipients wait for a person: not completed.
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
    const campaign = (await t.store.getCampaign('1'))!;
    const waits = await t.store.waitingBatches('1', t.clock.now());
    expect(describeWaiting(campaign, await t.store.counters('1'), waits)).toEqual([
      expect.objectContaining({ reason: 'awaiting_confirmation', count: 2 }),
    ]);
    const [a, b] = t.store.deliveries('1');
    const receipt = (d: typeof a, state: 'delivered' | 'filtered') => ({
      channel: 'channel:first',
      providerMessageId: d!.providerMessageId!,
      state,
      at: t.clock.now(),
      source: 'poll' as const,
    });
    await t.engine.applyReceipts([receipt(a, 'delivered')]);
    await t.drain();
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
    // The last result in: the receipt itself completes it, no batch or tick needed.
    await t.engine.applyReceipts([receipt(b, 'filtered')]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });
});
