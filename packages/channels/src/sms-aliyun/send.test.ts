import { afterEach, describe, expect, it } from 'vitest';
import type { FakeAliyun } from './fake-server.js';
import { aliyunFixture, phones, SIGN, TEMPLATE, templateBatch } from './test-support.js';

let servers: FakeAliyun[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function fixture(...args: Parameters<typeof aliyunFixture>) {
  const f = await aliyunFixture(...args);
  servers.push(f.server);
  return f;
}

describe('channel:sms-aliyun sends', () => {
  it('one set of parameters: one signed SendSms with every number, BizId per number as provider id', async () => {
    const f = await fixture();
    const to = phones(3);
    const outcomes = await f.sms.send(templateBatch(to), f.ctx);
    expect(f.server.requests).toHaveLength(1);
    const [request] = f.server.requests;
    expect(request).toMatchObject({
      action: 'SendSms',
      params: {
        PhoneNumbers: '13900000001,13900000002,13900000003',
        SignName: SIGN,
        TemplateCode: TEMPLATE,
        TemplateParam: '{"name":"会员","code":"8888"}',
        OutId: expect.stringMatching(/^q[0-9a-f]{40}$/),
      },
    });
    const bizId = f.server.account.records[0]!.bizId;
    expect(outcomes).toEqual(
      to.map((_, i) => ({
        id: `d-${i + 1}`,
        status: 'sent',
        providerMessageId: `${bizId}:1390000000${i + 1}`,
      })),
    );
  });

  it('personalised parameters: SendBatchSms of at most 100, a sign and parameters per number', async () => {
    const f = await fixture();
    const to = phones(250);
    const outcomes = await f.sms.send(
      templateBatch(to, (i) => `name: 用户${i}\ncode: ${1000 + i}`),
      f.ctx,
    );
    const calls = f.server.requests.filter((r) => r.action === 'SendBatchSms');
    expect(calls.map((c) => c.phones.length)).toEqual([100, 100, 50]);
    expect(JSON.parse(calls[0]!.params.SignNameJson!)).toEqual(Array(100).fill(SIGN));
    expect(JSON.parse(calls[0]!.params.TemplateParamJson!)[1]).toEqual({ name: '用户1', code: '1001' });
    expect(JSON.parse(calls[2]!.params.PhoneNumberJson!)[0]).toBe('13900000201');
    expect(new Set(calls.map((c) => c.params.OutId)).size).toBe(3);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(250);
    expect(f.server.account.records).toHaveLength(250);
  });

  it('refuses free text and malformed numbers before any call, with a finding-like reason', async () => {
    const f = await fixture();
    const batch = templateBatch(['+8613900000001', '12345']);
    batch.messages[0]!.content = { type: 'text', text: '双十一大促' };
    const outcomes = await f.sms.send(batch, f.ctx);
    expect(outcomes).toEqual([
      {
        id: 'd-1',
        status: 'failed',
        failure: 'content_rejected',
        error: expect.stringContaining('pre-approved template'),
      },
      { id: 'd-2', status: 'failed', failure: 'invalid_recipient', error: 'not a mobile number' },
    ]);
    expect(f.server.requests).toHaveLength(0);
  });

  it('a template without variables sends no TemplateParam', async () => {
    const f = await fixture();
    await f.sms.send(
      templateBatch(phones(2), () => '', 'k', 'SMS_465950002'),
      f.ctx,
    );
    expect(f.server.requests[0]!.params.TemplateParam).toBeUndefined();
    expect(f.server.account.records).toHaveLength(2);
  });
});

describe('channel:sms-aliyun and numbers Aliyun refuses', () => {
  it('a call refused for one illegal number is halved until that number stands alone; the others go once', async () => {
    const f = await fixture();
    f.server.account.illegal.add('13900000006');
    const outcomes = await f.sms.send(templateBatch(phones(8)), f.ctx);
    expect(outcomes.find((o) => o.id === 'd-6')).toMatchObject({
      status: 'failed',
      failure: 'invalid_recipient',
    });
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(7);
    const records = f.server.account.records.map((r) => r.phone);
    expect(new Set(records).size).toBe(7);
    expect(records).toHaveLength(7);
  });
});
