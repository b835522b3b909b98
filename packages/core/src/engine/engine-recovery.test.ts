import { describe, expect, it } from 'vitest';
import { createTestEngine, type TestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { type FakeChannelOptions, fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };

/** Two recipients in one batch, claimed by a worker that then dies: its lease runs out. */
async function crashed(options: FakeChannelOptions, claims = 1, maxBatchStarts?: number) {
  const channel = fakeChannel(options);
  const t = createTestEngine({
    plugins: [channel],
    ...(maxBatchStarts ? { engine: { maxBatchStarts } } : {}),
  });
  await t.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
  await t.addCampaign({ id: '1' });
  await t.engine.start({ ...ref, actor: t.actor });
  const [job] = t.queue.takeDue();
  for (let i = 0; i < claims; i++) {
    await t.store.claimBatch({ batchId: job!.batchId, owner: 'dead', now: t.clock.now(), leaseMs: 60_000 });
    await t.clock.advance(60_001);
  }
  return { t, channel, job: job! };
}

const states = (t: TestEngine) => t.store.deliveries('1').map((d) => d.state);

describe('engine: recovery of a crashed batch', () => {
  it('finds the expired lease on the tick and sends again with the same key on an idempotent channel', async () => {
    const { t, channel, job } = await crashed({ idempotent: true });
    await t.drain();
    expect(channel.calls).toHaveLength(1);
    expect(channel.calls[0]?.idempotencyKey).toBe(job.batchId);
    expect(channel.calls[0]?.messages).toHaveLength(2);
    expect(states(t)).toEqual(['sent', 'sent']);
    expect(t.store.batches('1')[0]).toMatchObject({ state: 'done', starts: 2 });
  });

  it('reconciles with queryStatus; what it does not report is uncertain', async () => {
    const { t, channel } = await crashed({
      queryStatus: (batch) => [{ id: batch.messages[0]!.id, status: 'sent', providerMessageId: 'pm-1' }],
    });
    await t.drain();
    expect(channel.queries).toHaveLength(1);
    expect(channel.calls).toHaveLength(0);
    expect(states(t)).toEqual(['sent', 'uncertain']);
    expect(t.store.deliveries('1')[0]?.providerMessageId).toBe('pm-1');
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('retries what queryStatus reports as failed', async () => {
    const { t } = await crashed({
      queryStatus: (batch) =>
        batch.messages.map((m) => ({ id: m.id, status: 'failed', failure: 'network', error: 'lost' })),
    });
    await t.drain();
    expect(states(t)).toEqual(['queued', 'queued']);
    await t.drain({ advance: true });
    expect(states(t)).toEqual(['sent', 'sent']);
  });

  it('marks everything uncertain when the channel can neither dedupe nor tell', async () => {
    const { t, channel } = await crashed({});
    await t.drain();
    expect(channel.calls).toHaveLength(0);
    expect(states(t)).toEqual(['uncertain', 'uncertain']);
    expect((await t.store.counters('1')).uncertain).toBe(2);
  });

  it('gives up on a poison batch after maxBatchStarts claims', async () => {
    const { t, channel } = await crashed({}, 2, 2);
    await t.drain();
    expect(channel.calls).toHaveLength(0);
    expect(t.store.batches('1')[0]).toMatchObject({ state: 'failed', starts: 3 });
    expect(states(t)).toEqual(['uncertain', 'uncertain']);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('leaves a poison batch’s submitted deliveries uncertain, even on an idempotent channel', async () => {
    // They may have been delivered: failing them would invite a resend under a new key.
    const { t } = await crashed({ idempotent: true }, 2, 2);
    await t.drain();
    expect(t.store.deliveries('1').map((d) => [d.state, d.failureClass])).toEqual([
      ['uncertain', null],
      ['uncertain', null],
    ]);
    expect(t.store.deliveries('1')[0]?.lastError).toContain('poison batch');
  });

  it('settles nothing when the lease was taken over during the send', async () => {
    let t!: TestEngine;
    const channel = fakeChannel({});
    const send = channel.send.bind(channel);
    channel.send = async (batch, ctx) => {
      // Another worker takes the batch over while the provider call is under way.
      await t.store.releaseBatch({ batchId: batch.batchId, owner: 'worker-1', dueAt: t.clock.now() });
      await t.store.claimBatch({
        batchId: batch.batchId,
        owner: 'other',
        now: t.clock.now(),
        leaseMs: 60_000,
      });
      return send(batch, ctx);
    };
    t = createTestEngine({ plugins: [channel] });
    await t.addContacts([makeContact({ id: '1' })]);
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    const [job] = t.queue.takeDue();
    await t.engine.processBatch(job!);
    expect(t.store.batches('1')[0]).toMatchObject({ state: 'leased', leaseOwner: 'other' });
    expect(states(t)).toEqual(['submitted']);
  });
});
