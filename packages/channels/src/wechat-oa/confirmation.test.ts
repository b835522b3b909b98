import { type ChannelPlugin, MemoryPluginState, QunfaError, silentLogger } from '@qunfa/core';
import { createTestEngine, makeContact } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { wechatOa } from './channel.js';
import { type FakeWechat, startFakeWechat } from './fake-server.js';
import { APP_ID, APP_SECRET, PUSH_TOKEN } from './test-support.js';

let fake: FakeWechat | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const MIN = 60_000;
const FOLLOWERS = 20;
const openid = (i: number) => `oProtect${String(i).padStart(20, '0')}`;
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

/** A service account with API mass-send protection, then SMS; 20 followers who also have a phone. */
async function setup(plan: { escalateAfterMs?: number; push?: boolean } = {}) {
  let now = () => new Date('2025-03-10T02:00:00Z');
  fake = await startFakeWechat({
    appId: APP_ID,
    appSecret: APP_SECRET,
    accountType: 'service',
    protection: true,
    callback: { token: PUSH_TOKEN },
    now: () => now(),
  });
  for (let i = 0; i < FOLLOWERS; i++) fake.account.addFollower(openid(i));
  const oa = wechatOa({
    appId: APP_ID,
    appSecret: APP_SECRET,
    accountType: 'service',
    massSendProtection: true,
    baseUrl: fake.url,
    busyBackoffMs: 1,
    ...(plan.push === false ? {} : { callback: { token: PUSH_TOKEN } }),
  });
  const sms = smsRecorder();
  const t = createTestEngine({
    plugins: [oa, sms],
    start: '2025-03-10T02:00:00Z',
    engine: { pluginState: new MemoryPluginState({ now: () => now() }), logger: silentLogger },
  });
  now = () => t.clock.now();
  await t.addContacts(
    Array.from({ length: FOLLOWERS }, (_, i) =>
      makeContact({
        id: String(i + 1),
        identities: [
          { kind: 'oa_openid', value: openid(i) },
          { kind: 'phone', value: phone(i) },
        ],
      }),
    ),
  );
  const campaign = await t.addCampaign({
    id: 'protected',
    channelPlan: [
      {
        channel: 'channel:wechat-oa',
        trackLinks: false,
        ...(plan.escalateAfterMs ? { escalateAfter: { ms: plan.escalateAfterMs, unless: 'delivered' } } : {}),
      },
      { channel: 'channel:sms', trackLinks: false },
    ],
    variants: [{ id: 'v1', key: 'A', weight: 1, content: { type: 'text', text: '会员日，全场八折' } }],
  });
  const ref = { workspaceId: campaign.workspaceId, campaignId: campaign.id, actor: t.actor };
  const server = fake;
  /** Mass messages follower `i` got from the account: jobs WeChat sent with their openid. */
  const oaReceived = (i: number) =>
    [...server.account.jobs.values()].filter((j) => j.state === 'sent' && j.openids.includes(openid(i)))
      .length;
  /** Messages follower `i` got over both channels. */
  const received = (i: number) => oaReceived(i) + sms.sent.filter((p) => p === phone(i)).length;
  /** The administrator confirms every job waiting for them. */
  const confirmAll = () => {
    for (const job of server.account.jobs.values())
      if (server.account.statusOf(job) === undefined) server.account.confirm(job.msgId);
  };
  /** WeChat pushes the verdict of every finished job, through the engine. */
  const pushFinished = async () => {
    for (const job of server.account.jobs.values())
      if (server.account.statusOf(job) !== undefined)
        await t.engine.handleCallback(oa.name, server.jobFinishedPush(job));
  };
  return { t, server, oa, sms, ref, oaReceived, received, confirmAll, pushFinished };
}

/** Runs the engine minute by minute (ticks, polls, batches) up to `minutes`, with `at` events. */
async function run(
  t: Awaited<ReturnType<typeof setup>>['t'],
  minutes: number,
  at: Record<number, () => void | Promise<void>> = {},
) {
  for (let minute = 1; minute <= minutes; minute++) {
    await t.clock.advance(MIN);
    await at[minute]?.();
    await t.engine.pollReceipts();
    await t.drain();
  }
}

describe('channel:wechat-oa with mass-send protection, through the engine: nobody gets both', () => {
  it('an escalation window shorter than the 30 minutes an administrator has: nobody gets OA and SMS', async () => {
    const s = await setup({ escalateAfterMs: 10 * MIN });
    const start = await s.t.engine.start(s.ref).then(
      () => undefined,
      (e: unknown) => e,
    );
    await s.t.drain();
    // The administrator confirms at 20 minutes; WeChat's push comes at once.
    await run(s.t, 40, {
      20: async () => {
        s.confirmAll();
        await s.pushFinished();
      },
    });
    const twice = Array.from({ length: FOLLOWERS }, (_, i) => i).filter((i) => s.received(i) > 1);
    // Without the channel's confirmation limit the window moved them to SMS at 10 minutes, and
    // WeChat sent them the mass message too once confirmed: 20 of 20 got both.
    expect(twice).toEqual([]);
    // The plan is refused before anything is sent, naming the channel.
    expect(start).toBeInstanceOf(QunfaError);
    const findings = (start as QunfaError).details?.findings as { code: string; channel: string }[];
    expect(findings.map((f) => [f.code, f.channel])).toEqual([
      ['ESCALATION_BEFORE_CONFIRMATION_DEADLINE', 'channel:wechat-oa'],
    ]);
  }, 30_000);

  it('confirmed late, pushed later still: held until the verdict, then sent; no SMS', async () => {
    const s = await setup();
    await s.t.engine.start(s.ref);
    await s.t.drain();
    expect(await s.t.store.counters('protected')).toMatchObject({ awaitingConfirmation: FOLLOWERS });
    await run(s.t, 25, { 25: () => s.confirmAll() });
    // Confirmed, but WeChat has not pushed the result: still held, and the campaign runs.
    expect((await s.t.store.getCampaign('protected'))?.state).toBe('running');
    await run(s.t, 10, { 5: () => s.pushFinished() });
    expect(await s.t.store.counters('protected')).toMatchObject({
      total: FOLLOWERS,
      sent: FOLLOWERS,
      awaitingConfirmation: 0,
      failed: 0,
    });
    expect(s.sms.sent).toEqual([]);
    for (let i = 0; i < FOLLOWERS; i++) expect([i, s.oaReceived(i)]).toEqual([i, 1]);
    expect((await s.t.store.getCampaign('protected'))?.state).toBe('completed');
  }, 30_000);

  it('never confirmed: WeChat drops the job after 30 minutes and its followers get the SMS at once', async () => {
    const s = await setup();
    await s.t.engine.start(s.ref);
    await s.t.drain();
    // Held while the administrator may still confirm: the campaign does not complete.
    await run(s.t, 29);
    expect(s.sms.sent).toEqual([]);
    expect((await s.t.store.getCampaign('protected'))?.state).toBe('running');
    await run(s.t, 1, { 1: () => s.pushFinished() });
    expect(() => s.confirmAll()).not.toThrow();
    expect([...s.server.account.jobs.values()].map((j) => j.state)).toEqual(['timed_out']);
    expect(s.sms.sent.sort()).toEqual(Array.from({ length: FOLLOWERS }, (_, i) => phone(i)).sort());
    for (let i = 0; i < FOLLOWERS; i++) expect([i, s.received(i)]).toEqual([i, 1]);
    const c = await s.t.store.counters('protected');
    expect(c).toMatchObject({ total: FOLLOWERS, sent: FOLLOWERS, awaitingConfirmation: 0 });
    expect((await s.t.store.getCampaign('protected'))?.state).toBe('completed');
  }, 30_000);

  it('no push configured: mass/get settles the job after the window, a failure is not handed on blindly', async () => {
    const s = await setup({ push: false });
    await s.t.engine.start(s.ref);
    await s.t.drain();
    await run(s.t, 30);
    const gets = () => s.server.requests.filter((r) => r.path === '/cgi-bin/message/mass/get').length;
    expect(gets()).toBe(0);
    expect((await s.t.store.getCampaign('protected'))?.state).toBe('running');
    await run(s.t, 2);
    expect(gets()).toBe(1);
    const c = await s.t.store.counters('protected');
    // mass/get says SEND_FAIL without a reason: failed, not moved to SMS by itself.
    expect(c).toMatchObject({ failed: FOLLOWERS, awaitingConfirmation: 0 });
    expect(c.failedByClass.unknown).toBe(FOLLOWERS);
    expect(s.sms.sent).toEqual([]);
    expect((await s.t.store.getCampaign('protected'))?.state).toBe('completed');
    await run(s.t, 10);
    expect(gets()).toBe(1);
  }, 30_000);
});
