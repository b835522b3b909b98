import { isQunfaError } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeAliyun } from './fake-server.js';
import { aliyunFixture, phones, templateBatch } from './test-support.js';

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
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isQunfaError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('channel:sms-aliyun pushes', () => {
  it('SmsReport: delivered and failed receipts by BizId and number, answered {"code":0}', async () => {
    const f = await fixture();
    f.server.account.undeliverable.set('13900000002', 'MOBILE_NOT_ON_SERVICE');
    const outcomes = await f.sms.send(templateBatch(phones(2)), f.ctx);
    const result = await f.sms.callback!(f.server.reportPush(), f.ctx);
    expect(JSON.parse(result!.response!.body)).toEqual({ code: 0, msg: '接收成功' });
    expect(result!.events).toEqual([
      {
        providerMessageId: outcomes[0]!.providerMessageId,
        state: 'delivered',
        at: new Date('2025-03-10T02:00:03Z'),
      },
      {
        providerMessageId: outcomes[1]!.providerMessageId,
        state: 'failed',
        at: new Date('2025-03-10T02:00:03Z'),
        failure: 'invalid_recipient',
        error: expect.stringContaining('MOBILE_NOT_ON_SERVICE'),
      },
    ]);
    // Aliyun pushes again when unsure it was heard: the same events, same times, so counted once.
    expect((await f.sms.callback!(f.server.reportPush(), f.ctx))!.events).toEqual(result!.events);
  });

  it('a push without the URL token is refused and writes nothing', async () => {
    const f = await fixture();
    await f.sms.send(templateBatch(phones(1)), f.ctx);
    const writes: string[] = [];
    const state = {
      ...f.state,
      get: f.state.get.bind(f.state),
      set: async (k: string) => void writes.push(k),
      setIfAbsent: async (k: string) => {
        writes.push(k);
        return true;
      },
      delete: async (k: string) => void writes.push(k),
    };
    const ctx = { ...f.ctx, state };
    expect(
      await refusal(
        f.sms.callback!(f.server.reportPush(undefined, { token: 'wrong-token-wrong-token' }), ctx),
      ),
    ).toBe('UNAUTHENTICATED');
    const anonymous = { ...f.server.reportPush(), query: {} };
    expect(await refusal(f.sms.callback!(anonymous, ctx))).toBe('UNAUTHENTICATED');
    expect(
      await refusal(f.sms.callback!(f.server.upPush('13900000001', 'TD', { token: 'x'.repeat(28) }), ctx)),
    ).toBe('UNAUTHENTICATED');
    expect(writes).toEqual([]);
    expect(await f.sms.callback!({ ...anonymous, path: '/other' }, ctx)).toBeUndefined();
  });

  it('SmsUp: a reply becomes an inbound message from the phone, once per sequence id', async () => {
    const f = await fixture();
    const result = await f.sms.callback!(f.server.upPush('13900000001', 'TD', { sequenceId: 42 }), f.ctx);
    expect(result).toEqual({
      inbound: [
        {
          providerMessageId: 'up:42',
          from: { kind: 'phone', value: '+8613900000001' },
          account: '群发科技',
          at: new Date('2025-03-10T02:00:00Z'),
          text: 'TD',
        },
      ],
      response: { contentType: 'application/json; charset=utf-8', body: '{"code":0,"msg":"接收成功"}' },
    });
  });

  it('without a callbackToken pushes are refused as not configured', async () => {
    const f = await fixture({}, { callbackToken: undefined });
    expect(await refusal(f.sms.callback!(f.server.reportPush(), f.ctx))).toBe('FORBIDDEN');
  });
});
