import { type FakeAliyun, startFakeAliyun } from '@qunfa/channels/sms-aliyun/fake-server';
import { type FakeTencent, startFakeTencent } from '@qunfa/channels/sms-tencent/fake-server';
import type { CallbackRequest } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsChannelsFromEnv } from '../src/sms-channels.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TOKEN = 'sms-callback-token-0123456789';
const phone = (i: number) => `+86139${String(i + 1).padStart(8, '0')}`;
const COUNTERS = 'query($id: ID!) { campaign(id: $id) { state counters { sent delivered failed } } }';
type Counters = { campaign: { counters: { sent: number; delivered: number; failed: number } } };

/** An SMS campaign through API, engine and both SMS channels loaded from the environment, Aliyun down. */
describe.each(drivers)('SMS channels end to end on %s', (driver) => {
  let t: TestApp;
  let aliyun: FakeAliyun;
  let tencent: FakeTencent;
  let campaignId: string;

  const post = (channel: string, push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/${channel}${push.path}?${new URLSearchParams(push.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: push.body,
    });

  beforeAll(async () => {
    aliyun = await startFakeAliyun({
      signNames: ['群发科技'],
      templates: { SMS_1: ['code'] },
      callbackToken: TOKEN,
    });
    tencent = await startFakeTencent({
      signNames: ['群发科技'],
      templates: { '1001': 1 },
      callbackToken: TOKEN,
    });
    const channels = smsChannelsFromEnv({
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAIfakeAccessKeyId',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'fakeAccessKeySecret',
      ALIYUN_SMS_SIGN_NAME: '群发科技',
      ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
      ALIYUN_SMS_PROTOCOL: 'http',
      ALIYUN_SMS_CALLBACK_TOKEN: TOKEN,
      TENCENT_SMS_SECRET_ID: 'AKIDfakeSecretId',
      TENCENT_SMS_SECRET_KEY: 'fakeSecretKey',
      TENCENT_SMS_SDK_APP_ID: '1400000001',
      TENCENT_SMS_SIGN_NAME: '群发科技',
      TENCENT_SMS_ENDPOINT: tencent.endpoint,
      TENCENT_SMS_PROTOCOL: 'http://',
      TENCENT_SMS_CALLBACK_TOKEN: TOKEN,
      TENCENT_SMS_TEMPLATES: '{"SMS_1":"1001"}',
    });
    expect(channels.map((c) => c.name)).toEqual(['channel:sms-aliyun', 'channel:sms-tencent']);
    t = await startTestApp(driver, { receiptPollIntervalMs: 100 }, [...channels, ...builtinMetrics()]);
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '短信会员',
      count: 4,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '短信会员日',
          audience: { tag },
          variants: [{ key: 'A', content: { type: 'template', subject: 'SMS_1', text: 'code: 8888' } }],
          channelPlan: [
            { channel: 'channel:sms-aliyun', failover: ['channel:sms-tencent'], trackLinks: false },
          ],
        },
      },
    );
    campaignId = createCampaign.id;
    aliyun.outage('503');
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: campaignId,
    });
    for (let i = 0; (await t.app.deps.store.getCampaign(campaignId))?.state !== 'completed'; i++) {
      if (i > 400) throw new Error('the campaign did not complete');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    aliyun.restore();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await aliyun?.close();
    await tencent?.close();
  });

  it('Aliyun down: every member got one SMS through Tencent, with its template', async () => {
    expect(aliyun.account.records).toHaveLength(0);
    expect(tencent.records.map((r) => r.phone).sort()).toEqual([0, 1, 2, 3].map(phone));
    expect(tencent.records.every((r) => r.templateId === '1001' && r.params[0] === '8888')).toBe(true);
    const { campaign } = await gqlOk<Counters>(t.url, t.a.keys.viewer, COUNTERS, { id: campaignId });
    // PullSmsSendStatus may already have turned some into delivered.
    expect(campaign.counters.sent + campaign.counters.delivered).toBe(4);
    expect(campaign.counters.failed).toBe(0);
  });

  it('a forged status callback writes nothing; the real one is answered {"result":0}, all delivered once', async () => {
    // Receipt polling (every 100 ms) may still be settling the previous sends: wait until the rows are still,
    // so a change after the forged callback can only come from it.
    let before = await rowCounts(t.app.deps.db);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const now = await rowCounts(t.app.deps.db);
      if (JSON.stringify(now) === JSON.stringify(before)) break;
      before = now;
    }
    expect(
      (await post('sms-tencent', tencent.statusCallback(undefined, { token: 'wrong-token-wrong-token' })))
        .status,
    ).toBe(401);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    const res = await post('sms-tencent', tencent.statusCallback());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 0, errmsg: 'OK' });
    const { campaign } = await gqlOk<Counters>(t.url, t.a.keys.viewer, COUNTERS, { id: campaignId });
    // The callback and the pull report the same receipts: each delivery counted once.
    expect(campaign.counters).toEqual({ sent: 0, delivered: 4, failed: 0 });
  });

  it('a "TD" reply by the reply callback unsubscribes the sender, attributed to the campaign', async () => {
    const res = await post('sms-tencent', tencent.replyCallback(phone(2), 'TD'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 0, errmsg: 'OK' });
    // A forged Aliyun SmsUp (no token) is refused.
    expect((await post('sms-aliyun', { ...aliyun.upPush(phone(2).slice(3), 'TD'), query: {} })).status).toBe(
      401,
    );
    const { inboundMessages } = await gqlOk<{
      inboundMessages: {
        edges: { node: { text: string; unsubscribed: boolean; campaignId: string | null } }[];
      };
    }>(
      t.url,
      t.a.keys.viewer,
      'query { inboundMessages { edges { node { text unsubscribed campaignId } } } }',
    );
    expect(inboundMessages.edges.map((e) => e.node)).toEqual([
      { text: 'TD', unsubscribed: true, campaignId },
    ]);
  });

  it('a reply at Aliyun to an SMS Tencent sent after the failover is attributed to the campaign', async () => {
    const res = await post('sms-aliyun', aliyun.upPush(phone(1).slice(3), '收到，谢谢'));
    expect(res.status).toBe(200);
    const { inboundMessages } = await gqlOk<{
      inboundMessages: { edges: { node: { text: string; channel: string; campaignId: string | null } }[] };
    }>(t.url, t.a.keys.viewer, 'query { inboundMessages { edges { node { text channel campaignId } } } }');
    expect(inboundMessages.edges.map((e) => e.node)).toContainEqual({
      text: '收到，谢谢',
      channel: 'channel:sms-aliyun',
      campaignId,
    });
  });
});
