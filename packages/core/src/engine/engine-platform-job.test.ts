import { describe, expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import type { ComplianceRule } from '../plugins/rule.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const follower = (id: string) =>
  makeContact({ id }, [
    { kind: 'oa_openid', value: `oOpenid${id}` },
    { kind: 'phone', value: `+86138000000${id.padStart(2, '0')}` },
  ]);
const plain = [{ id: '1', key: 'A', weight: 1, content: { type: 'text' as const, text: '会员日' } }];
const jobPlan = [
  { channel: 'channel:oa', platformJob: { target: '101' }, trackLinks: false },
  { channel: 'channel:sms' },
];

function setup(rules: ComplianceRule[] = []) {
  const oa = fakeChannel({
    name: 'channel:oa',
    kinds: ['oa_openid'],
    maxPerSend: 2,
    platformJobs: true,
    idempotent: true,
  });
  const sms = fakeChannel({ name: 'channel:sms', maxPerSend: 100 });
  return { oa, sms, t: createTestEngine({ plugins: [oa, sms, ...rules] }) };
}

describe('engine: a plan step sent as one platform job', () => {
  it('sends the whole step in one call to the target, each recipient sent by job', async () => {
    const { oa, sms, t } = setup();
    await t.addContacts(['1', '2', '3', '4', '5'].map(follower));
    await t.addCampaign({ id: '1', variants: plain, channelPlan: jobPlan });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    // Five recipients on a channel of two a send: one batch, one call, the target named.
    expect(oa.calls).toHaveLength(1);
    expect(oa.calls[0]?.job).toEqual({ target: '101' });
    expect(oa.calls[0]?.messages).toHaveLength(5);
    expect(sms.calls).toHaveLength(0);
    const deliveries = t.store.deliveries('1');
    expect(deliveries.map((d) => d.state)).toEqual(Array(5).fill('sent'));
    expect(t.store.attempts(deliveries[0]!.id)[0]?.note).toMatch(/^sent by job job-1: the platform reports/);
    expect((await t.store.counters('1')).sent).toBe(5);
  });

  it('refuses the job when anyone of the audience would be left out, and moves the rest on', async () => {
    const { oa, sms, t } = setup();
    await t.addContacts([
      ...['1', '2', '3'].map(follower),
      { ...follower('4'), suppressions: ['unsubscribed'] },
    ]);
    await t.addCampaign({ id: '1', variants: plain, channelPlan: jobPlan });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    // The tag job would reach the unsubscribed follower too: no job, the others go by SMS.
    expect(oa.calls).toHaveLength(0);
    expect(sms.calls.flatMap((b) => b.messages.map((m) => m.address)).sort()).toEqual([
      '+8613800000001',
      '+8613800000002',
      '+8613800000003',
    ]);
    const moved = t.store.deliveries('1').find((d) => d.contactId === '1')!;
    expect(moved).toMatchObject({ state: 'sent', channel: 'channel:sms' });
    // The refusal is on record, with why; no provider call was made for it.
    expect(t.store.attempts(moved.id).map((a) => [a.channel, a.status, a.providerMessageId])).toEqual([
      ['channel:oa', 'failed', null],
      ['channel:sms', 'sent', expect.any(String)],
    ]);
    expect(t.store.attempts(moved.id)[0]?.error).toMatch(/1 of the audience would be left out/);
  });

  it('refuses the job when a rule suppresses one recipient now', async () => {
    const cap: ComplianceRule = {
      kind: 'rule',
      name: 'rule:cap',
      checkRecipients: (batch) =>
        batch.map((r) =>
          r.contactId === '2'
            ? { deliveryId: r.deliveryId, action: 'suppress', reason: 'frequency_cap' }
            : { deliveryId: r.deliveryId, action: 'allow' },
        ),
    };
    const { oa, t } = setup([cap]);
    await t.addContacts(['1', '2', '3'].map(follower));
    await t.addCampaign({ id: '1', variants: plain, channelPlan: [jobPlan[0]!] });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(oa.calls).toHaveLength(0);
    const byContact = new Map(t.store.deliveries('1').map((d) => [d.contactId, d]));
    expect(byContact.get('2')).toMatchObject({ state: 'suppressed', suppressionReason: 'frequency_cap' });
    expect(byContact.get('1')).toMatchObject({ state: 'failed', failureClass: 'invalid_recipient' });
    expect(byContact.get('1')?.lastError).toMatch(/1 of the audience would be left out/);
  });

  it('waits as a whole for the latest deferral, then sends one job', async () => {
    const until = (id: string) => new Date(id === '1' ? '2026-01-05T03:00:00Z' : '2026-01-05T05:00:00Z');
    const quiet: ComplianceRule = {
      kind: 'rule',
      name: 'rule:quiet',
      checkRecipients: (batch, ctx) =>
        batch.map((r) =>
          ctx.now < until(r.contactId)
            ? { deliveryId: r.deliveryId, action: 'defer', until: until(r.contactId), reason: 'quiet_hours' }
            : { deliveryId: r.deliveryId, action: 'allow' },
        ),
    };
    const { oa, t } = setup([quiet]);
    await t.addContacts(['1', '2', '3'].map(follower));
    await t.addCampaign({ id: '1', variants: plain, channelPlan: [jobPlan[0]!] });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(oa.calls).toHaveLength(0);
    // Released whole until the last recipient may have it, not split in two.
    expect(t.store.batches('1').map((b) => [b.state, b.dueAt.toISOString()])).toEqual([
      ['queued', until('2').toISOString()],
    ]);
    await t.clock.advance(until('2').getTime() - t.clock.now().getTime());
    await t.drain();
    expect(oa.calls).toHaveLength(1);
    expect(oa.calls[0]?.messages).toHaveLength(3);
    expect(t.store.batches('1').map((b) => b.state)).toEqual(['done']);
  });

  it('refuses personalised content: a job carries one content', async () => {
    const { oa, t } = setup();
    await t.addContacts(['1', '2'].map(follower));
    const personal = [{ ...plain[0]!, content: { type: 'text' as const, text: '{{name}}，会员日' } }];
    await t.addCampaign({ id: '1', variants: personal, channelPlan: [jobPlan[0]!] });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(oa.calls).toHaveLength(0);
    expect(t.store.deliveries('1').map((d) => d.failureClass)).toEqual([
      'content_rejected',
      'content_rejected',
    ]);
  });

  it('refuses a job on a channel without idempotency keys: a re-run could send it twice', async () => {
    const bare = fakeChannel({ name: 'channel:bare', kinds: ['oa_openid'], platformJobs: true });
    const t = createTestEngine({ plugins: [bare] });
    await t.addContacts(['1', '2'].map(follower));
    await t.addCampaign({
      id: '1',
      variants: plain,
      channelPlan: [{ ...jobPlan[0]!, channel: 'channel:bare' }],
    });
    const error = await t.engine.start({ ...ref, actor: t.actor }).catch((e: unknown) => e);
    expect(isQunfaError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/no idempotency keys/);
  });

  it('starts only a campaign a job can carry', async () => {
    const tries = [
      {
        channelPlan: [{ channel: 'channel:sms', platformJob: { target: '101' } }],
        why: /cannot send a platform job/,
      },
      {
        channelPlan: jobPlan,
        variants: [
          { id: '1', key: 'A', weight: 1, content: { type: 'text' as const, text: 'a' } },
          { id: '2', key: 'B', weight: 1, content: { type: 'text' as const, text: 'b' } },
        ],
        why: /one content/,
      },
      {
        channelPlan: [
          { ...jobPlan[0]!, escalateAfter: { ms: 60_000, unless: 'read' as const } },
          jobPlan[1]!,
        ],
        why: /escalate after a delay/,
      },
    ];
    for (const { why, ...campaign } of tries) {
      const { t } = setup();
      await t.addContacts(['1', '2'].map(follower));
      await t.addCampaign({ id: '1', ...campaign });
      const error = await t.engine.start({ ...ref, actor: t.actor }).catch((e: unknown) => e);
      expect(isQunfaError(error, 'INVALID_INPUT')).toBe(true);
      expect((error as Error).message).toMatch(why);
      expect(t.store.deliveries('1')).toHaveLength(0);
    }
  });
});
