import type { FailureClass } from '@qunfa/core';
import { isQunfaError } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import { phones, templateBatch } from '../sms-aliyun/test-support.js';
import type { FakeTencent } from './fake-server.js';
import { APP_ID, SIGN, TEMPLATE, tencentFixture } from './test-support.js';

let servers: FakeTencent[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function fixture(...args: Parameters<typeof tencentFixture>) {
  const f = await tencentFixture(...args);
  servers.push(f.server);
  return f;
}
const batch = (n: number, text?: (i: number) => string, key = 'b-1') =>
  templateBatch(phones(n), text, key, TEMPLATE);

describe('channel:sms-tencent sends', () => {
  it('one signed SendSms per 200 numbers and parameter set; SerialNo per number', async () => {
    const f = await fixture();
    const outcomes = await f.sms.send(batch(450), f.ctx);
    const calls = f.server.requests.filter((r) => r.action === 'SendSms');
    expect(calls.map((c) => c.phones.length)).toEqual([200, 200, 50]);
    expect(calls[0]!.body).toMatchObject({
      SmsSdkAppId: APP_ID,
      SignName: SIGN,
      TemplateId: TEMPLATE,
      TemplateParamSet: ['会员', '8888'],
      SessionContext: expect.stringMatching(/^q[0-9a-f]{40}$/),
    });
    expect(calls[0]!.phones[0]).toBe('+8613900000001');
    expect(outcomes).toHaveLength(450);
    const serials = new Set(f.server.records.map((r) => r.serialNo));
    for (const o of outcomes) expect(serials.has(o.providerMessageId ?? '')).toBe(true);
  });

  it('personalised parameters: one call per parameter set', async () => {
    const f = await fixture();
    await f.sms.send(
      batch(3, (i) => `name: 用户${i % 2}\ncode: 1`),
      f.ctx,
    );
    expect(f.server.requests.map((r) => r.body.TemplateParamSet)).toEqual([
      ['用户0', '1'],
      ['用户1', '1'],
    ]);
  });

  it('maps each number’s Code on its own', async () => {
    const f = await fixture({ perNumberDailyLimit: 1 });
    f.server.blacklist.add('+8613900000002');
    await f.sms.send(batch(1, undefined, 'first'), f.ctx); // uses number 1's daily allowance
    const outcomes = await f.sms.send(batch(3, undefined, 'second'), f.ctx);
    expect(outcomes[0]).toMatchObject({
      status: 'failed',
      failure: 'rate_limited',
      retryAfterMs: expect.any(Number),
    });
    expect(outcomes[1]).toMatchObject({ status: 'failed', failure: 'blocked_by_user' });
    expect(outcomes[2]).toMatchObject({ status: 'sent' });
  });

  const cases: [string, FailureClass][] = [
    ['LimitExceeded.PhoneNumberDailyLimit', 'rate_limited'],
    ['LimitExceeded.PhoneNumberOneHourLimit', 'rate_limited'],
    ['LimitExceeded.PhoneNumberThirtySecondLimit', 'rate_limited'],
    ['RequestLimitExceeded', 'rate_limited'],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'invalid_recipient'],
    ['FailedOperation.PhoneNumberInBlacklist', 'blocked_by_user'],
    ['FailedOperation.ContainSensitiveWord', 'content_rejected'],
    ['FailedOperation.TemplateIncorrectOrUnapproved', 'content_rejected'],
    ['FailedOperation.SignatureIncorrectOrUnapproved', 'content_rejected'],
    ['FailedOperation.InsufficientBalanceInSmsPackage', 'account_restricted'],
    ['UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'account_restricted'],
    ['AuthFailure.SignatureFailure', 'account_restricted'],
    ['InternalError.Timeout', 'network'],
    ['InternalError.OtherError', 'network'],
    ['FailedOperation.SomethingNew', 'unknown'],
  ];
  it.each(cases)('call error %s → %s', async (code, failure) => {
    const f = await fixture();
    f.server.failNext('SendSms', code);
    const [outcome] = await f.sms.send(batch(1), f.ctx);
    expect(outcome).toMatchObject({ status: 'failed', failure });
  });

  it('an outage (503) is network; a timeout is uncertain and never re-sent', async () => {
    const f = await fixture();
    f.server.outage();
    expect((await f.sms.send(batch(1), f.ctx))[0]).toMatchObject({ status: 'failed', failure: 'network' });
    f.server.restore();
    f.server.loseNextAnswer('SendSms', { taken: true, holdMs: 1500 });
    expect((await f.sms.send(batch(2, undefined, 'slow'), f.ctx)).map((o) => o.status)).toEqual([
      'uncertain',
      'uncertain',
    ]);
    // The fake records calls it served (not those turned away by the outage): the slow one, once.
    expect(f.server.requests.filter((r) => r.action === 'SendSms')).toHaveLength(1);
  });
});

describe('channel:sms-tencent receipts and replies', () => {
  it('status callback: receipts by SerialNo, answered {"result":0}; a repeat gives the same events', async () => {
    const f = await fixture();
    f.server.undeliverable.set('+8613900000002', 'UNDELIV');
    const outcomes = await f.sms.send(batch(2), f.ctx);
    const result = await f.sms.callback!(f.server.statusCallback(), f.ctx);
    expect(JSON.parse(result!.response!.body)).toEqual({ result: 0, errmsg: 'OK' });
    expect(result!.events).toMatchObject([
      { providerMessageId: outcomes[0]!.providerMessageId, state: 'delivered' },
      { providerMessageId: outcomes[1]!.providerMessageId, state: 'failed', failure: 'invalid_recipient' },
    ]);
    expect((await f.sms.callback!(f.server.statusCallback(), f.ctx))!.events).toEqual(result!.events);
  });

  it('PullSmsSendStatus hands each receipt out once, keyed like the callback', async () => {
    const f = await fixture();
    const outcomes = await f.sms.send(batch(3), f.ctx);
    const pulled = await f.sms.pollReceipts!(f.ctx);
    expect(pulled.map((e) => e.providerMessageId)).toEqual(outcomes.map((o) => o.providerMessageId));
    expect(pulled.every((e) => e.state === 'delivered')).toBe(true);
    expect(await f.sms.pollReceipts!(f.ctx)).toEqual([]);
  });

  it('replies by callback and by PullSmsReplyStatus become the same inbound message', async () => {
    const f = await fixture();
    const time = Math.floor(Date.now() / 1000);
    const byCallback = await f.sms.callback!(f.server.replyCallback('+8613900000001', 'TD', { time }), f.ctx);
    f.server.addReply('+8613900000001', 'TD');
    const [byPull] = await f.sms.pollInbound!(f.ctx);
    expect(byCallback!.inbound![0]).toMatchObject({
      from: { kind: 'phone', value: '+8613900000001' },
      text: 'TD',
      account: SIGN,
    });
    expect(byPull?.from).toEqual(byCallback!.inbound![0]!.from);
    expect(byPull?.providerMessageId.startsWith('reply:+8613900000001:')).toBe(true);
  });

  it('a callback without the URL token is refused', async () => {
    const f = await fixture();
    await expect(
      f.sms.callback!(f.server.statusCallback(undefined, { token: 'x'.repeat(20) }), f.ctx),
    ).rejects.toSatisfy((e) => isQunfaError(e, 'UNAUTHENTICATED'));
  });
});
