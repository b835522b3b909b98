import { emailSmtp, wecom } from '@qunfa/channels';
import { type FakeSmtp, startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import {
  type FakeAliyun,
  type FakeAliyunRecord,
  startFakeAliyun,
} from '@qunfa/channels/sms-aliyun/fake-server';
import { type FakeTencent, startFakeTencent } from '@qunfa/channels/sms-tencent/fake-server';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import type { CallbackRequest, ChannelPlugin } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { smsChannelsFromEnv } from '../src/sms-channels.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const N = 1000;
const CORP_ID = 'ww0123456789abcdef';
const CONTACT_SECRET = 'wecom-contact-secret-for-tests';
const CALLBACK = { token: 'cbToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const SMS_TOKEN = 'sms-callback-token-0123456789';
const SENDERS = ['zhangsan', 'lisi', 'wangwu'] as const;

/** Who each contact is, and so which channel must reach them. */
const person = (i: number) => {
  const wecom = i % 4 !== 0;
  return {
    external: wecom ? `wmCustomer${String(i).padStart(4, '0')}` : undefined,
    sender: SENDERS[i % 3]!,
    /** The customer deleted their staff contact in WeCom; Qunfa was not told. */
    gone: wecom && i % 40 === 1,
    national: i % 20 === 10 ? undefined : `139${String(i).padStart(8, '0')}`,
    /** Refused by both providers at send time: Aliyun isv.MOBILE_NUMBER_ILLEGAL, Tencent 免打扰. */
    badNumber: i % 25 === 4,
    /** Accepted, then reported undeliverable by the carrier (MK:0001). */
    undeliverable: !wecom && i % 24 === 8,
    email: i % 50 === 20 ? undefined : `member${i}@example.com`,
  };
};

/** The one channel that must reach contact i, or undefined when none can. */
function expectedChannel(i: number): 'wecom' | 'sms' | 'email' | undefined {
  const p = person(i);
  if (p.external && !p.gone) return 'wecom';
  if (p.national && !p.badNumber && !p.undeliverable) return 'sms';
  return p.email ? 'email' : undefined;
}

const waitFor = async (
  what: string,
  done: () => Promise<boolean> | boolean,
  ms: number,
  where: () => Promise<unknown>,
) => {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await where())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * The chain WeCom → SMS (Aliyun, failing over to Tencent) → e-mail over the real channels and
 * their fakes, through API and engine: contacts without a WeCom id, customers who left their staff
 * contact, numbers both providers refuse or the carrier reports undeliverable (a receipt, after
 * the send), Aliyun down until two batches had its 503. Counted from what each fake itself received.
 */
describe.each(drivers)('fallback chain over real channels on %s', (driver) => {
  let t: TestApp;
  let fakeWecom: FakeWecom;
  let aliyun: FakeAliyun;
  let tencent: FakeTencent;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof emailSmtp>;
  let campaignId: string;
  let aliyunBatches = 0;

  const post = (path: string, push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/${path}${push.path}?${new URLSearchParams(push.query)}`, {
      method: push.method,
      headers: push.headers,
      body: push.body || undefined,
    });

  beforeAll(async () => {
    fakeWecom = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: 1000002, secret: 'wecom-app-secret-for-tests' }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
    });
    aliyun = await startFakeAliyun({
      signNames: ['群发科技'],
      templates: { SMS_1: ['code'] },
      callbackToken: SMS_TOKEN,
    });
    tencent = await startFakeTencent({
      signNames: ['群发科技'],
      templates: { '1001': 1 },
      callbackToken: SMS_TOKEN,
    });
    smtp = await startFakeSmtp({});
    for (let i = 0; i < N; i++) {
      const p = person(i);
      if (p.national && p.badNumber) {
        aliyun.account.illegal.add(p.national);
        tencent.blacklist.add(`+86${p.national}`);
      }
      if (p.national && p.undeliverable) {
        aliyun.account.undeliverable.set(p.national, 'MK:0001');
        tencent.undeliverable.set(`+86${p.national}`, 'MK:0001');
      }
    }
    const [aliyunChannel, tencentChannel] = smsChannelsFromEnv({
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAIfakeAccessKeyId',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'fakeAccessKeySecret',
      ALIYUN_SMS_SIGN_NAME: '群发科技',
      ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
      ALIYUN_SMS_PROTOCOL: 'http',
      ALIYUN_SMS_CALLBACK_TOKEN: SMS_TOKEN,
      TENCENT_SMS_SECRET_ID: 'AKIDfakeSecretId',
      TENCENT_SMS_SECRET_KEY: 'fakeSecretKey',
      TENCENT_SMS_SDK_APP_ID: '1400000001',
      TENCENT_SMS_SIGN_NAME: '群发科技',
      TENCENT_SMS_ENDPOINT: tencent.endpoint,
      TENCENT_SMS_PROTOCOL: 'http://',
      TENCENT_SMS_CALLBACK_TOKEN: SMS_TOKEN,
      TENCENT_SMS_TEMPLATES: '{"SMS_1":"1001"}',
    }) as [ChannelPlugin, ChannelPlugin];
    // Aliyun answers 503 until two batches had that answer (an outage), then is back. Counted by
    // answers, not by calls: batches sent at once (later steps go first, so several SMS batches
    // start together) would otherwise restore it before the first two reached it.
    aliyun.outage('503');
    let answered = 0;
    const flakyAliyun: ChannelPlugin = {
      ...aliyunChannel,
      async send(batch, ctx) {
        aliyunBatches++;
        try {
          return await aliyunChannel.send(batch, ctx);
        } finally {
          if (++answered === 2) aliyun.restore();
        }
      },
    };
    email = emailSmtp({
      host: smtp.host,
      port: smtp.port,
      from: '"群发科技" <news@qunfa.test>',
      batchSize: 100,
    });
    const wecomChannel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: 1000002, secret: 'wecom-app-secret-for-tests' }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
      baseUrl: fakeWecom.url,
      taskPollMs: 50,
    });
    t = await startTestApp(driver, { receiptPollIntervalMs: 100 }, [
      wecomChannel,
      flakyAliyun,
      tencentChannel,
      email,
      ...builtinMetrics(),
    ]);

    // Who follows whom, as the sync and change_external_contact callbacks keep it in the channel's
    // state (wecom.test.ts goes through the callbacks); then a few customers delete their staff contact.
    const now = Math.floor(Date.now() / 1000);
    const customers = Array.from({ length: N }, (_, i) => i).filter((i) => person(i).external);
    for (const i of customers) fakeWecom.corp.customers.addCustomer(person(i).external!, person(i).sender);
    const relations = customers.map((i) => ({
      key: `channel:wecom/follow/${person(i).external}`,
      value: [{ userid: person(i).sender, addedAt: now }],
    }));
    await t.app.deps.db.execute(sql`INSERT INTO plugin_state (key, value)
      SELECT r.key, r.value FROM jsonb_to_recordset(${JSON.stringify(relations)}::jsonb) AS r(key text, value jsonb)`);
    for (const i of customers.filter((i) => person(i).gone)) {
      const p = person(i);
      fakeWecom.corp.customers.follows.get(p.external!)!.get(p.sender)!.deleted = 'by_customer';
    }

    const input = Array.from({ length: N }, (_, i) => {
      const p = person(i);
      return {
        name: `c${i}`,
        identities: [
          ...(p.external ? [{ kind: 'WECOM_EXTERNAL_USERID', value: p.external }] : []),
          ...(p.national ? [{ kind: 'PHONE', value: `+86${p.national}` }] : []),
          ...(p.email ? [{ kind: 'EMAIL', value: p.email }] : []),
        ],
      };
    });
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input },
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '会员日',
          audience: { all: true },
          variants: [
            {
              key: 'A',
              content: { text: '会员日，全场八折' },
              channelContent: [
                {
                  channel: 'channel:sms-aliyun',
                  content: { type: 'template', subject: 'SMS_1', text: 'code: 8888' },
                },
                {
                  channel: 'channel:email-smtp',
                  content: { type: 'email', subject: '会员日', text: '<p>{{name}}，会员日全场八折</p>' },
                },
              ],
            },
          ],
          // The windows hold the campaign open until every result and receipt is in (or a minute
          // passed), so a failure a receipt reports after the send still moves on; a window
          // running out is covered by wecom.test.ts and the kernel's tests.
          channelPlan: [
            {
              channel: 'channel:wecom',
              batchSize: 250,
              escalateAfterMs: 60_000,
              escalateUnless: 'DELIVERED',
            },
            {
              channel: 'channel:sms-aliyun',
              failover: ['channel:sms-tencent'],
              batchSize: 50,
              escalateAfterMs: 60_000,
              escalateUnless: 'DELIVERED',
            },
            { channel: 'channel:email-smtp', trackLinks: false },
          ],
        },
      },
    );
    campaignId = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: campaignId,
    });
    // Staff confirm their tasks in the client; Aliyun pushes its receipts (SmsReport).
    const confirming = setInterval(() => {
      for (const task of fakeWecom.corp.customers.tasks.values())
        if (task.status === 0 && !task.cancelled) fakeWecom.corp.customers.confirm(task.msgid);
    }, 20);
    const pushed = new Set<FakeAliyunRecord>();
    await waitFor(
      'the campaign',
      async () => {
        const fresh = aliyun.account.records.filter((r) => !pushed.has(r));
        if (fresh.length > 0) {
          for (const r of fresh) pushed.add(r);
          expect((await post('sms-aliyun', aliyun.reportPush(fresh))).status).toBe(200);
        }
        return (await t.app.deps.store.getCampaign(campaignId))?.state === 'completed';
      },
      120_000,
      async () => ({
        counters: await t.app.deps.store.counters(campaignId),
        tasks: [...fakeWecom.corp.customers.tasks.values()].map((k) => [k.sender, k.status, k.cancelled]),
        deliveries: await rows(
          t.app.deps.db,
          sql`SELECT channel, state, count(*)::int AS n FROM deliveries GROUP BY 1, 2 ORDER BY 1, 2`,
        ),
        batches: await rows(
          t.app.deps.db,
          sql`SELECT channel, state, wait_reason, starts, due_at, count(*)::int AS n FROM batches WHERE state NOT IN ('done') GROUP BY 1, 2, 3, 4, 5`,
        ),
        attempts: await rows(
          t.app.deps.db,
          sql`SELECT channel, status, failure_class, left(error, 80) AS error, count(*)::int AS n FROM delivery_attempts WHERE status <> 'sent' GROUP BY 1, 2, 3, 4`,
        ),
        aliyunPhones: new Set(aliyun.account.records.map((r) => r.phone)).size,
        aliyun: aliyun.account.records.length,
        tencent: tencent.records.length,
        smtp: smtp.messages.length,
      }),
    );
    clearInterval(confirming);
  }, 360_000);

  afterAll(async () => {
    await t?.stop();
    email?.close();
    await Promise.all([fakeWecom?.close(), aliyun?.close(), tencent?.close(), smtp?.close()]);
  });

  it('every recipient got exactly one message, over the right channel, by the fakes’ own records', () => {
    const received = new Map<number, string[]>();
    const got = (i: number, channel: string) => received.set(i, [...(received.get(i) ?? []), channel]);
    const byPhone = new Map<string, number>();
    const byEmail = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const p = person(i);
      for (let n = fakeWecom.corp.customers.receivedThisMonth(p.external ?? ''); n > 0; n--) got(i, 'wecom');
      if (p.national) byPhone.set(p.national, i);
      if (p.email) byEmail.set(p.email, i);
    }
    for (const r of aliyun.account.records) if (r.sendStatus === 3) got(byPhone.get(r.phone)!, 'sms');
    for (const r of tencent.records)
      if (r.reportStatus === 'SUCCESS') got(byPhone.get(r.phone.slice(3))!, 'sms');
    for (const m of smtp.messages) got(byEmail.get(m.envelope.to[0]!)!, 'email');

    const mismatches: string[] = [];
    const tally: Record<string, number> = {};
    for (let i = 0; i < N; i++) {
      const want = expectedChannel(i);
      const have = received.get(i) ?? [];
      tally[want ?? 'none'] = (tally[want ?? 'none'] ?? 0) + 1;
      if (have.length !== (want ? 1 : 0) || (want && have[0] !== want))
        mismatches.push(`${i}: expected ${want ?? 'nothing'}, received ${have.join('+') || 'nothing'}`);
    }
    expect(mismatches).toEqual([]);
    // Each kind of case happened: the test cannot pass on an empty path.
    expect(tally).toEqual({ wecom: 725, sms: 225, email: 48, none: 2 });
  });

  it('no number got two SMS; the outage went to Tencent, and Aliyun carried the rest once it was back', () => {
    const accepted = [
      ...aliyun.account.records.map((r) => r.phone),
      ...tencent.records.map((r) => r.phone.slice(3)),
    ];
    expect(accepted.length).toBe(new Set(accepted).size);
    expect(aliyunBatches).toBeGreaterThan(3);
    expect(tencent.records.length).toBeGreaterThan(0);
    expect(aliyun.account.records.length).toBeGreaterThan(0);
  });

  it('keeps each step’s content, and refuses content for a failover provider or a channel not in the plan', async () => {
    const { campaign } = await gqlOk<{
      campaign: { variants: { channelContent: { channel: string; content: { type: string } }[] }[] };
    }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { variants { channelContent { channel content { type } } } } }',
      { id: campaignId },
    );
    const byChannel = [...campaign.variants[0]!.channelContent].sort((a, b) =>
      a.channel.localeCompare(b.channel),
    );
    expect(byChannel).toEqual([
      { channel: 'channel:email-smtp', content: { type: 'email' } },
      { channel: 'channel:sms-aliyun', content: { type: 'template' } },
    ]);
    const create = (channel: string) =>
      gql(
        t.url,
        t.a.keys.operator,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'x',
            audience: { all: true },
            variants: [
              { key: 'A', content: { text: 'x' }, channelContent: [{ channel, content: { text: 'y' } }] },
            ],
            channelPlan: [{ channel: 'channel:sms-aliyun', failover: ['channel:sms-tencent'] }],
          },
        },
      );
    for (const channel of ['channel:sms-tencent', 'channel:email-smtp']) {
      const refused = await create(channel);
      expect(codesOf(refused)).toEqual(['INVALID_INPUT']);
      expect(refused.errors?.[0]?.extensions?.details?.field).toBe('variants.0.channelContent.0.channel');
    }
  });

  it('counts each recipient once, where it ended', async () => {
    const c = await t.app.deps.store.counters(campaignId);
    const none = Array.from({ length: N }, (_, i) => i).filter((i) => !expectedChannel(i)).length;
    expect(c.total).toBe(N);
    // WeCom and SMS report delivery; e-mail stays sent (no receipt without a bounce).
    expect(c.delivered + c.sent).toBe(N - none);
    expect(c.failed).toBe(none);
    expect(c.queued + c.submitted + c.awaitingConfirmation).toBe(0);
  });
});
