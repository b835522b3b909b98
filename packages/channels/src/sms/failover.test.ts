import type { ChannelPlugin } from '@qunfa/core';
import { createTestEngine, makeContact } from '@qunfa/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsAliyun } from '../sms-aliyun/channel.js';
import { type FakeAliyun, startFakeAliyun } from '../sms-aliyun/fake-server.js';
import { smsTencent } from '../sms-tencent/channel.js';
import { type FakeTencent, startFakeTencent } from '../sms-tencent/fake-server.js';

const CONTACTS = 1000;
const phoneOf = (i: number) => `139${String(i).padStart(8, '0')}`;
/** Numbers Aliyun refuses (isv.MOBILE_NUMBER_ILLEGAL): a permanent failure, no failover. */
const illegalAtAliyun = new Set([3, 150, 151, 420, 777, 998].map(phoneOf));
/** Numbers in Tencent's 免打扰 list, among those Aliyun's outage sends to Tencent. */
const blacklistedAtTencent = new Set([12, 205].map(phoneOf));

let aliyun: FakeAliyun;
let tencent: FakeTencent;
beforeAll(async () => {
  aliyun = await startFakeAliyun({
    signNames: ['群发科技'],
    templates: { SMS_1: ['code'] },
    perNumberDailyLimit: 10,
  });
  tencent = await startFakeTencent({
    signNames: ['群发科技'],
    templates: { '1001': 1 },
    smsSdkAppId: '1400000001',
  });
  for (const p of illegalAtAliyun) aliyun.account.illegal.add(p);
  for (const p of blacklistedAtTencent) tencent.blacklist.add(`+86${p}`);
});
afterAll(async () => {
  await aliyun.close();
  await tencent.close();
});

describe('SMS provider failover through the engine', () => {
  it('1,000 contacts, Aliyun down for the first batches: each gets exactly one SMS, by the fakes’ own records', async () => {
    const aliyunChannel = smsAliyun({
      accessKeyId: 'LTAIfakeAccessKeyId',
      accessKeySecret: 'fakeAccessKeySecret',
      signName: '群发科技',
      endpoint: aliyun.endpoint,
      protocol: 'http',
    });
    // Aliyun answers 503 to its first 3 batches, then comes back.
    let aliyunBatches = 0;
    aliyun.outage('503');
    const flaky: ChannelPlugin = {
      ...aliyunChannel,
      async send(batch, ctx) {
        if (++aliyunBatches === 4) aliyun.restore();
        return aliyunChannel.send(batch, ctx);
      },
    };
    const tencentChannel = smsTencent({
      secretId: 'AKIDfakeSecretId',
      secretKey: 'fakeSecretKey',
      smsSdkAppId: '1400000001',
      signName: '群发科技',
      endpoint: tencent.endpoint,
      protocol: 'http://',
      templates: { SMS_1: '1001' },
    });
    const t = createTestEngine({ plugins: [flaky, tencentChannel] });
    await t.addContacts(
      Array.from({ length: CONTACTS }, (_, i) =>
        makeContact({ id: String(i + 1) }, [{ kind: 'phone', value: `+86${phoneOf(i)}` }]),
      ),
    );
    await t.addCampaign({
      id: '1',
      // Aliyun's template code; the Tencent channel maps it to its own template (`templates` option).
      variants: [
        {
          id: '101',
          key: 'A',
          weight: 1,
          content: { type: 'template', subject: 'SMS_1', text: 'code: 8888' },
        },
      ],
      channelPlan: [{ channel: 'channel:sms-aliyun', failover: ['channel:sms-tencent'], batchSize: 100 }],
    });
    await t.engine.start({ workspaceId: '1', campaignId: '1', actor: t.actor });
    await t.drain({ advance: true, maxSteps: 200 });

    const received = new Map<string, number>();
    for (const r of aliyun.account.records) received.set(r.phone, (received.get(r.phone) ?? 0) + 1);
    for (const r of tencent.records)
      received.set(r.phone.slice(3), (received.get(r.phone.slice(3)) ?? 0) + 1);
    const deliveries = t.store.deliveries('1');
    expect(deliveries).toHaveLength(CONTACTS);
    const refusable = new Set([...illegalAtAliyun, ...blacklistedAtTencent]);
    let failed = 0;
    for (const d of deliveries) {
      const phone = phoneOf(Number(d.contactId) - 1);
      if (d.state === 'failed') {
        // Refused by the provider that had it: permanent, so neither retried nor failed over.
        failed++;
        expect(refusable.has(phone), phone).toBe(true);
        expect(received.get(phone) ?? 0, phone).toBe(0);
      } else {
        expect(d.state, phone).toBe('sent');
        expect(received.get(phone), phone).toBe(1);
      }
    }
    expect(failed).toBeGreaterThan(0);
    expect(tencent.records.length).toBeGreaterThan(0); // the outage's recipients
    expect(aliyun.account.records.length).toBeGreaterThan(tencent.records.length);
    const sentBy = (c: string) => deliveries.filter((d) => d.channel === c && d.state === 'sent').length;
    expect(sentBy('channel:sms-tencent')).toBe(tencent.records.length);
    expect(sentBy('channel:sms-aliyun')).toBe(aliyun.account.records.length);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });
});
