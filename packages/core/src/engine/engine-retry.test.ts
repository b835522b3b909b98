import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy } from '../domain/campaign.js';
import type { ComplianceRule } from '../plugins/rule.js';
import { createTestEngine, type TestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { type FakeChannelOptions, fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const H = 3_600_000;

async function oneRecipient(
  options: FakeChannelOptions,
  extra: Parameters<typeof createTestEngine>[0]['plugins'] = [],
) {
  const channel = fakeChannel(options);
  const t = createTestEngine({ plugins: [channel, ...extra] });
  await t.addContacts([makeContact({ id: '1' })]);
  await t.addCampaign({ id: '1' });
  await t.engine.start({ ...ref, actor: t.actor });
  return { t, channel };
}

const delivery = (t: TestEngine) => t.store.deliveries('1')[0]!;
const dueTimes = (t: TestEngine) =>
  t.store.batches('1').map((b) => b.dueAt.getTime() - t.store.batches('1')[0]!.dueAt.getTime());

describe('engine: retries and escalation', () => {
  it('retries a rate-limited send after the provider’s retry-after', async () => {
    const { t, channel } = await oneRecipient({
      outcome: (_m, n) =>
        n === 0 ? { status: 'failed', failure: 'rate_limited', retryAfterMs: 5000 } : { status: 'sent' },
    });
    await t.drain({ advance: true });
    expect(channel.calls).toHaveLength(2);
    expect(dueTimes(t)).toEqual([0, 5000]);
    expect(delivery(t)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(t.store.attempts(delivery(t).id).map((a) => [a.status, a.failureClass])).toEqual([
      ['failed', 'rate_limited'],
      ['sent', null],
    ]);
  });

  it('retries a network failure 2 h later', async () => {
    const { t } = await oneRecipient({
      outcome: (_m, n) => (n === 0 ? { status: 'failed', failure: 'network' } : { status: 'sent' }),
    });
    await t.drain();
    expect(delivery(t).state).toBe('queued');
    await t.clock.advance(2 * H - 1);
    await t.drain();
    expect(delivery(t).state).toBe('queued');
    await t.clock.advance(1);
    await t.drain();
    expect(delivery(t).state).toBe('sent');
    expect(dueTimes(t)).toEqual([0, 2 * H]);
  });

  it('escalates a permanent failure to the next channel that can address the recipient', async () => {
    const wecom = fakeChannel({
      name: 'channel:wecom',
      kinds: ['wecom_userid'],
      outcome: () => ({ status: 'failed', failure: 'blocked_by_user' }),
    });
    const sms = fakeChannel({ name: 'channel:sms', kinds: ['phone'] });
    const email = fakeChannel({ name: 'channel:email', kinds: ['email'] });
    const t = createTestEngine({ plugins: [wecom, sms, email] });
    await t.addContacts([
      makeContact({ id: '1' }, [
        { kind: 'wecom_userid', value: 'zhangsan' },
        { kind: 'email', value: 'zs@example.com' },
      ]),
    ]);
    await t.addCampaign({
      id: '1',
      channelPlan: [{ channel: 'channel:wecom' }, { channel: 'channel:sms' }, { channel: 'channel:email' }],
    });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(sms.calls).toHaveLength(0);
    expect(email.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['zs@example.com']);
    expect(delivery(t)).toMatchObject({ state: 'sent', channel: 'channel:email', attempts: 1 });
    expect(t.store.attempts(delivery(t).id).map((a) => a.channel)).toEqual([
      'channel:wecom',
      'channel:email',
    ]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('fails a permanent failure with nowhere to escalate', async () => {
    const { t } = await oneRecipient({ outcome: () => ({ status: 'failed', failure: 'content_rejected' }) });
    await t.drain({ advance: true });
    expect(delivery(t)).toMatchObject({ state: 'failed', failureClass: 'content_rejected' });
    expect((await t.store.counters('1')).failedByClass.content_rejected).toBe(1);
  });

  it('fails after maxAttempts network failures', async () => {
    const { t, channel } = await oneRecipient({ outcome: () => ({ status: 'failed', failure: 'network' }) });
    await t.drain({ advance: true });
    expect(channel.calls).toHaveLength(defaultRetryPolicy.maxAttempts);
    expect(delivery(t)).toMatchObject({ state: 'failed', failureClass: 'network' });
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('retries everything as a network failure when an idempotent channel throws', async () => {
    const { t, channel } = await oneRecipient({ idempotent: true, throws: (call) => call === 0 });
    await t.drain({ advance: true });
    expect(channel.calls.map((c) => c.messages.length)).toEqual([1, 1]);
    expect(t.store.attempts(delivery(t).id).map((a) => a.failureClass)).toEqual(['network', null]);
    expect(delivery(t).state).toBe('sent');
  });

  it('marks everything uncertain when a channel without idempotency throws, and never sends again', async () => {
    const { t, channel } = await oneRecipient({ throws: () => true });
    await t.drain({ advance: true });
    expect(channel.calls).toHaveLength(1);
    expect(delivery(t).state).toBe('uncertain');
  });

  it('treats a missing outcome as uncertain, or as a retry on an idempotent channel', async () => {
    const plain = await oneRecipient({ outcome: () => 'missing' });
    await plain.t.drain({ advance: true });
    expect(delivery(plain.t).state).toBe('uncertain');
    const keyed = await oneRecipient({
      idempotent: true,
      outcome: (_m, n) => (n === 0 ? 'missing' : { status: 'sent' }),
    });
    await keyed.t.drain({ advance: true });
    expect(delivery(keyed.t)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('cools a restricted account down when it does not escalate', async () => {
    const { t } = await oneRecipient({
      outcome: (_m, n) =>
        n === 0 ? { status: 'failed', failure: 'account_restricted' } : { status: 'sent' },
    });
    await t.drain({ advance: true });
    expect(dueTimes(t)).toEqual([0, 4 * H]);
    expect(delivery(t).state).toBe('sent');
  });

  it('applies recipient rules: suppress and defer', async () => {
    const rule: ComplianceRule = {
      kind: 'rule',
      name: 'rule:cap',
      checkRecipients: (batch, ctx) =>
        batch.map((r) =>
          r.contactId === '1'
            ? { deliveryId: r.deliveryId, action: 'suppress', reason: 'frequency_cap' }
            : r.contactId === '2' && ctx.now.getTime() < Date.parse('2026-01-05T03:00:00Z')
              ? {
                  deliveryId: r.deliveryId,
                  action: 'defer',
                  until: new Date('2026-01-05T03:00:00Z'),
                  reason: 'quiet',
                }
              : { deliveryId: r.deliveryId, action: 'allow' },
        ),
    };
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel, rule] });
    await t.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain({ advance: true });
    const [first, second] = t.store.deliveries('1');
    expect(first).toMatchObject({ state: 'suppressed', suppressionReason: 'frequency_cap' });
    expect(second).toMatchObject({ state: 'sent', attempts: 1 });
    expect(channel.calls).toHaveLength(1);
    expect(channel.calls[0]?.batchId).not.toBe(t.store.batches('1')[0]?.id);
  });
});
