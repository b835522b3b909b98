import type { FailureClass } from '@qunfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAliyun } from './fake-server.js';
import { aliyunFixture, phones, templateBatch } from './test-support.js';

let f: Awaited<ReturnType<typeof aliyunFixture>>;
let server: FakeAliyun;
beforeAll(async () => {
  f = await aliyunFixture();
  server = f.server;
});
afterAll(() => server.close());

const MIN = 60_000;
const cases: [code: string, status: number, failure: FailureClass, retryAfterMs?: number][] = [
  ['isv.MOBILE_NUMBER_ILLEGAL', 200, 'invalid_recipient'],
  ['isv.DOMESTIC_NUMBER_NOT_SUPPORTED', 200, 'invalid_recipient'],
  ['isv.BLACK_KEY_CONTROL_LIMIT', 200, 'blocked_by_user'],
  ['isv.SMS_CONTENT_ILLEGAL', 200, 'content_rejected'],
  ['isv.SMS_SIGNATURE_ILLEGAL', 200, 'content_rejected'],
  ['isv.SMS_TEMPLATE_ILLEGAL', 200, 'content_rejected'],
  ['isv.TEMPLATE_MISSING_PARAMETERS', 200, 'content_rejected'],
  ['isv.INVALID_JSON_PARAM', 200, 'content_rejected'],
  ['isv.OUT_OF_SERVICE', 200, 'account_restricted'],
  ['isv.AMOUNT_NOT_ENOUGH', 200, 'account_restricted'],
  ['isv.ACCOUNT_ABNORMAL', 200, 'account_restricted'],
  ['isp.RAM_PERMISSION_DENY', 200, 'account_restricted'],
  ['InvalidAccessKeyId.NotFound', 404, 'account_restricted'],
  ['SignatureDoesNotMatch', 400, 'account_restricted'],
  ['isv.DAY_LIMIT_CONTROL', 200, 'rate_limited', 14 * 60 * MIN], // 10:00 China time → midnight
  ['Throttling.User', 400, 'rate_limited', 1000],
  ['Throttling.Api', 400, 'rate_limited', 1000],
  ['isp.SYSTEM_ERROR', 200, 'network'],
  ['ServiceUnavailable', 503, 'network'],
  ['InternalError', 500, 'network'],
  ['isv.SOMETHING_NEW', 200, 'unknown'],
];

describe('channel:sms-aliyun error codes', () => {
  it.each(cases)('%s (HTTP %i) → %s', async (code, status, failure, retryAfterMs) => {
    server.failNext('SendSms', code, 'injected', 1, status);
    const [outcome] = await f.sms.send(templateBatch(phones(1), undefined, `e-${code}`), f.ctx);
    expect(outcome).toMatchObject({ status: 'failed', failure, error: expect.stringContaining(code) });
    if (outcome?.status === 'failed') expect(outcome.retryAfterMs).toBe(retryAfterMs);
  });

  it.each([
    ['触发分钟级流控Permits:1', MIN],
    ['触发小时级流控Permits:5', 60 * MIN],
    ['触发天级流控Permits:10', 14 * 60 * MIN],
  ])(
    'isv.BUSINESS_LIMIT_CONTROL "%s" is a per-number limit: rate_limited for its window',
    async (message, wait) => {
      server.failNext('SendSms', 'isv.BUSINESS_LIMIT_CONTROL', message);
      const [outcome] = await f.sms.send(templateBatch(phones(1), undefined, `b-${wait}`), f.ctx);
      expect(outcome).toMatchObject({ status: 'failed', failure: 'rate_limited', retryAfterMs: wait });
    },
  );

  it('the fake enforces the per-number daily limit the docs give for notices', async () => {
    const g = await aliyunFixture({ perNumberDailyLimit: 2 });
    try {
      for (const key of ['x1', 'x2']) await g.sms.send(templateBatch(phones(1, 77), undefined, key), g.ctx);
      const [third] = await g.sms.send(templateBatch(phones(1, 77), undefined, 'x3'), g.ctx);
      expect(third).toMatchObject({ status: 'failed', failure: 'rate_limited' });
    } finally {
      await g.server.close();
    }
  });

  it('an error never carries the numbers of the call', async () => {
    server.failNext('SendSms', 'isv.MOBILE_NUMBER_ILLEGAL', '13900000001 非法');
    const [outcome] = await f.sms.send(templateBatch(phones(1), undefined, 'pii'), f.ctx);
    expect(JSON.stringify(outcome)).not.toContain('13900000001');
  });
});
