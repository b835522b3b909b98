import { describe, expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import type { ComplianceRule } from '../plugins/rule.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';
import { linkTarget, STEP_LINKS } from './variant-links.js';

const ref = { workspaceId: '1', campaignId: '1' };
const both = (id: string) =>
  makeContact({ id }, [
    { kind: 'phone', value: `+861380000000${id}` },
    { kind: 'email', value: `m${id}@example.com` },
  ]);
const variant = {
  id: '1',
  key: 'A',
  weight: 1,
  content: { type: 'text' as const, text: '会员日 https://shop.example.com/a' },
  channelContent: { 'channel:email': { type: 'text' as const, text: '邮件 https://mail.example.com/m' } },
};

describe('engine: content per plan step, and failures reported by receipt', () => {
  it('sends each step its own content; a failover provider sends its step’s', async () => {
    // Contact 1 is unknown to the SMS provider (a permanent failure): it moves on to e-mail.
    const sms = fakeChannel({
      name: 'channel:sms',
      outcome: (m) =>
        m.address.endsWith('1') ? { status: 'failed', failure: 'invalid_recipient' } : { status: 'sent' },
    });
    // The first e-mail provider is down: its recipients go to the second, with the e-mail content.
    const mailA = fakeChannel({
      name: 'channel:email',
      kinds: ['email'],
      outcome: () => ({ status: 'failed', failure: 'network' }),
    });
    const mailB = fakeChannel({ name: 'channel:email-b', kinds: ['email'] });
    const t = createTestEngine({ plugins: [sms, mailA, mailB] });
    await t.addContacts([both('1'), both('2')]);
    await t.addCampaign({
      id: '1',
      variants: [variant],
      channelPlan: [
        { channel: 'channel:sms', trackLinks: false },
        { channel: 'channel:email', failover: ['channel:email-b'], trackLinks: false },
      ],
    });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const texts = (c: typeof sms) =>
      c.calls.flatMap((b) => b.messages.map((m) => [m.address, m.content.text]));
    expect(texts(sms).sort()).toEqual([
      ['+8613800000001', variant.content.text],
      ['+8613800000002', variant.content.text],
    ]);
    expect(texts(mailA)).toEqual([['m1@example.com', '邮件 https://mail.example.com/m']]);
    expect(texts(mailB)).toEqual([['m1@example.com', '邮件 https://mail.example.com/m']]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('moves a recipient on when a receipt reports a permanent failure, once', async () => {
    const sms = fakeChannel({ name: 'channel:sms' });
    const mail = fakeChannel({ name: 'channel:email', kinds: ['email'] });
    const t = createTestEngine({ plugins: [sms, mail] });
    await t.addContacts([both('1'), both('2')]);
    await t.addCampaign({
      id: '1',
      variants: [variant],
      channelPlan: [
        // The window keeps the campaign running while receipts come in.
        { channel: 'channel:sms', escalateAfter: { ms: 3_600_000, unless: 'delivered' } },
        { channel: 'channel:email' },
      ],
    });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [one, two] = t.store.deliveries('1');
    const receipt = (providerMessageId: string, state: 'delivered' | 'failed') => ({
      channel: 'channel:sms',
      providerMessageId,
      state,
      at: t.clock.now(),
      source: 'callback' as const,
      ...(state === 'failed' ? { failure: 'invalid_recipient' as const, error: 'MK:0001' } : {}),
    });
    await t.engine.applyReceipts([
      receipt(one!.providerMessageId!, 'failed'),
      receipt(two!.providerMessageId!, 'delivered'),
    ]);
    await t.clock.advance(1000);
    await t.drain();
    expect(mail.calls.flatMap((b) => b.messages.map((m) => m.address))).toEqual(['m1@example.com']);
    expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([
      ['channel:email', 'sent'],
      ['channel:sms', 'delivered'],
    ]);
    expect(await t.store.counters('1')).toMatchObject({ total: 2, sent: 1, delivered: 1, failed: 0 });
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    // The provider repeating its receipt moves nothing again.
    await t.engine.applyReceipts([receipt(one!.providerMessageId!, 'failed')]);
    await t.clock.advance(1000);
    await t.drain();
    expect(mail.calls).toHaveLength(1);
  });

  it('judges each step’s content against that step’s providers, failovers included, and names the step', async () => {
    const seen: { text: string; channels: string[] }[] = [];
    const rule: ComplianceRule = {
      kind: 'rule',
      name: 'rule:spy',
      checkContent: (content, ctx) => {
        seen.push({ text: content.text, channels: [...ctx.channels] });
        return content.text.startsWith('邮件')
          ? [{ rule: 'rule:spy', level: 'block', code: 'MAIL_WORD', message: 'no' }]
          : [];
      },
    };
    const t = createTestEngine({
      plugins: [
        fakeChannel({ name: 'channel:sms' }),
        fakeChannel({ name: 'channel:sms-b' }),
        fakeChannel({ name: 'channel:email', kinds: ['email'] }),
        rule,
      ],
    });
    await t.addContacts([both('1')]);
    await t.addCampaign({
      id: '1',
      variants: [variant],
      channelPlan: [{ channel: 'channel:sms', failover: ['channel:sms-b'] }, { channel: 'channel:email' }],
    });
    const error = await t.engine.start({ ...ref, actor: t.actor }).catch((e: unknown) => e);
    expect(isQunfaError(error, 'COMPLIANCE_BLOCKED')).toBe(true);
    expect((error as { details: { findings: unknown[] } }).details.findings).toEqual([
      expect.objectContaining({ code: 'MAIL_WORD', channel: 'channel:email', variantId: '1' }),
    ]);
    expect(seen).toEqual([
      { text: variant.content.text, channels: ['channel:sms', 'channel:sms-b'] },
      { text: '邮件 https://mail.example.com/m', channels: ['channel:email'] },
    ]);
  });

  it('numbers a step’s links apart, so a tracked link finds its content after the recipient moved on', () => {
    const plan = [{ channel: 'channel:sms' }, { channel: 'channel:email' }];
    expect(linkTarget(variant, plan, 0)).toBe('https://shop.example.com/a');
    expect(linkTarget(variant, plan, 2 * STEP_LINKS)).toBe('https://mail.example.com/m');
    expect(linkTarget(variant, plan, STEP_LINKS)).toBeUndefined();
    expect(linkTarget(variant, plan, 2 * STEP_LINKS + 1)).toBeUndefined();
  });
});
