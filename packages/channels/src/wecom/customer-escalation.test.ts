import {
  type ChannelPlugin,
  channelReceiptEvents,
  MemoryPluginState,
  QunfaError,
  scopePluginState,
  silentLogger,
} from '@qunfa/core';
import { createTestEngine, makeContact } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { wecom } from './channel.js';
import { type FakeWecom, startFakeWecom } from './fake-server.js';
import { AGENT_ID, APP_SECRET, CONTACT_SECRET, CORP_ID } from './test-support.js';

let fake: FakeWecom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const MIN = 60_000;
const SENDERS = 10;
const PER_SENDER = 20;
const external = (i: number) => `wmEsc${String(i).padStart(4, '0')}`;
const senderOf = (i: number) => `staff${i % SENDERS}`;
const phone = (i: number) => `+86139${String(i).padStart(8, '0')}`;

/** The next step: records every message it is asked to send, as an SMS provider's fake would. */
function smsRecorder(): ChannelPlugin & { sent: string[] } {
  const sent: string[] = [];
  return {
    kind: 'channel',
    name: 'channel:sms',
    limits: {
      maxRecipientsPerSend: 100,
      contentTypes: ['text'],
      receipts: false,
      recall: false,
      idempotencyKeys: true,
    },
    identityKinds: ['phone'],
    accounts: [],
    sent,
    address: (ids) => ids.find((i) => i.kind === 'phone')?.value,
    async send(batch) {
      sent.push(...batch.messages.map((m) => m.address));
      return batch.messages.map((m) => ({
        id: m.id,
        status: 'sent' as const,
        providerMessageId: `sms-${m.id}`,
      }));
    },
  };
}

async function setup(plan: { escalateAfterMs: number; confirmationDeadlineMs?: number }) {
  let now = () => new Date('2025-03-10T02:00:00Z');
  fake = await startFakeWecom({
    corpId: CORP_ID,
    apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
    contactSecret: CONTACT_SECRET,
    now: () => now(),
  });
  const customers = SENDERS * PER_SENDER;
  for (let i = 0; i < customers; i++)
    fake.corp.customers.addCustomer(external(i), senderOf(i), new Date('2024-01-01T00:00:00Z'));
  const channel = wecom({
    corpId: CORP_ID,
    apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
    contactSecret: CONTACT_SECRET,
    baseUrl: fake.url,
    busyBackoffMs: 1,
  });
  const sms = smsRecorder();
  const shared = new MemoryPluginState({ now: () => now() });
  const t = createTestEngine({
    plugins: [channel, sms],
    start: '2025-03-10T02:00:00Z',
    engine: { pluginState: shared, logger: silentLogger },
  });
  now = () => t.clock.now();
  const ctx = {
    signal: new AbortController().signal,
    now,
    state: scopePluginState(shared, channel.name),
    logger: silentLogger,
  };
  await channel.sync(ctx);
  await t.addContacts(
    Array.from({ length: customers }, (_, i) =>
      makeContact({
        id: String(i + 1),
        identities: [
          { kind: 'wecom_external_userid', value: external(i) },
          { kind: 'phone', value: phone(i) },
        ],
      }),
    ),
  );
  const campaign = await t.addCampaign({
    id: 'deadline',
    channelPlan: [
      {
        channel: 'channel:wecom',
        trackLinks: false,
        escalateAfter: { ms: plan.escalateAfterMs, unless: 'delivered' },
        ...(plan.confirmationDeadlineMs ? { confirmationDeadlineMs: plan.confirmationDeadlineMs } : {}),
      },
      { channel: 'channel:sms', trackLinks: false },
    ],
    variants: [{ id: 'v1', key: 'A', weight: 1, content: { type: 'text', text: '会员日，全场八折' } }],
  });
  const ref = { workspaceId: campaign.workspaceId, campaignId: campaign.id, actor: t.actor };
  /** What reached customer `i` over WeCom: the tasks whose result for them is 1 (sent). */
  const wecomReceived = (i: number) =>
    [...fake!.corp.customers.tasks.values()].filter((task) => task.results.get(external(i))?.status === 1)
      .length;
  return { t, fake: fake!, channel, sms, ctx, ref, customers, wecomReceived };
}

describe('WeCom → SMS with a confirmation deadline, through the engine: nobody gets both', () => {
  it('refuses a plan that escalates before the WeCom confirmation deadline', async () => {
    const { t, ref } = await setup({ escalateAfterMs: 30 * MIN, confirmationDeadlineMs: 60 * MIN });
    const refused = await t.engine.start(ref).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QunfaError);
    expect((refused as QunfaError).code).toBe('COMPLIANCE_BLOCKED');
    const findings = (refused as QunfaError).details?.findings as { code: string; channel: string }[];
    expect(findings.map((f) => [f.code, f.channel])).toEqual([
      ['ESCALATION_BEFORE_CONFIRMATION_DEADLINE', 'channel:wecom'],
    ]);
    expect(t.store.deliveries('deadline')).toEqual([]);
  }, 30_000);

  it('late confirmations, slow results, a refused cancel and an operator cancel: each customer one message', async () => {
    const { t, fake, channel, sms, ctx, ref, customers, wecomReceived } = await setup({
      escalateAfterMs: 120 * MIN,
      confirmationDeadlineMs: 60 * MIN,
    });
    await t.engine.start(ref);
    await t.drain();
    const task = (s: number) => fake.corp.customers.tasksOf(`staff${s}`)[0]!;
    expect(fake.corp.customers.tasks.size).toBe(SENDERS);
    const at = (minute: number, what: () => void | Promise<void>) => ({ minute, what });
    const script = [
      // staff0–2 confirm early.
      at(10, () => {
        for (const s of [0, 1, 2]) fake.corp.customers.confirm(task(s).msgid);
      }),
      // staff8's task is cancelled by an operator: its customers go to SMS now, not at 2 h.
      at(20, async () => {
        const events = await channel.cancelTask(task(8).msgid, ctx);
        await t.engine.applyReceipts(channelReceiptEvents(channel.name, events, 'poll'));
      }),
      // staff3–4 confirm just before the deadline, and WeCom reports their results only at 2 h 30:
      // past the plan's window, while their customers are still awaiting confirmation.
      at(59, () =>
        [3, 4].forEach((s) => {
          task(s).status = 2;
          task(s).sendTime = t.clock.now();
        }),
      ),
      at(150, () =>
        [3, 4].forEach((s) => {
          for (const e of task(s).targets) task(s).results.set(e, { status: 1, sendTime: t.clock.now() });
        }),
      ),
      // At the deadline WeCom is busy: the cancels of staff5, 6, 7 and 9 all fail (each tried 3 times)…
      at(59, () => fake.failNext('/cgi-bin/externalcontact/cancel_groupmsg_send', -1, 'system busy', 12)),
      // …and staff7 confirms before they are tried again: WeCom sends it, it must not go to SMS as well.
      at(61, () => {
        fake.corp.customers.confirm(task(7).msgid);
      }),
      // staff9 tries to confirm after the cancel: WeCom no longer sends it.
      at(180, () => {
        fake.corp.customers.confirm(task(9).msgid);
      }),
    ];
    for (let minute = 1; minute <= 240; minute++) {
      await t.clock.advance(MIN);
      for (const step of script.filter((s) => s.minute === minute)) await step.what();
      await t.engine.pollReceipts();
      await t.drain();
      if (minute === 21) {
        // The operator's cancel moved staff8's customers at once.
        expect(sms.sent).toHaveLength(PER_SENDER);
      }
    }
    const bySms = new Set(sms.sent);
    const wecomOnly: number[] = [];
    const smsOnly: number[] = [];
    for (let i = 0; i < customers; i++) {
      const viaSms = sms.sent.filter((p) => p === phone(i)).length;
      // Exactly one message per customer, over one channel.
      expect([i, wecomReceived(i) + viaSms]).toEqual([i, 1]);
      (bySms.has(phone(i)) ? smsOnly : wecomOnly).push(i % SENDERS);
    }
    expect([...new Set(wecomOnly)].sort()).toEqual([0, 1, 2, 3, 4, 7]);
    expect([...new Set(smsOnly)].sort()).toEqual([5, 6, 8, 9]);
    expect(await t.store.counters('deadline')).toMatchObject({
      total: customers,
      delivered: 6 * PER_SENDER,
      sent: 4 * PER_SENDER,
      awaitingConfirmation: 0,
    });
    expect((await t.store.getCampaign('deadline'))?.state).toBe('completed');
    // Four simulated hours of polls against the fake over HTTP: several seconds on a loaded machine.
  }, 60_000);
});
