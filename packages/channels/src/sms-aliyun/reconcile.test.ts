import { MemoryPluginState } from '@qunfa/core';
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
const sendCalls = (server: FakeAliyun) => server.requests.filter((r) => r.action.startsWith('Send'));

describe('channel:sms-aliyun: a call whose answer is lost is reconciled, never re-sent', () => {
  it('timed out but taken: QuerySendDetails finds its OutId, so sent, and no second SendSms', async () => {
    const f = await fixture();
    f.server.loseNextAnswer('SendSms', { taken: true, holdMs: 1500 });
    const outcomes = await f.sms.send(templateBatch(phones(2)), f.ctx);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
    expect(sendCalls(f.server)).toHaveLength(1);
    expect(
      f.server.requests.filter((r) => r.action === 'QuerySendDetails').map((r) => r.params.PhoneNumber),
    ).toEqual(expect.arrayContaining(['13900000001', '13900000002']));
    expect(f.server.account.records).toHaveLength(2);

    // Its receipts find the deliveries although send never saw the BizId.
    const events = (await f.sms.callback!(f.server.reportPush(), f.ctx))?.events ?? [];
    expect(events.map((e) => e.providerMessageId).sort()).toEqual(
      outcomes.map((o) => (o.status === 'sent' ? o.providerMessageId : '')).sort(),
    );
  });

  it('timed out and not taken: failed network, safe to retry or fail over; still one call', async () => {
    const f = await fixture();
    f.server.loseNextAnswer('SendSms', { taken: false, holdMs: 1500 });
    const outcomes = await f.sms.send(templateBatch(phones(2)), f.ctx);
    expect(outcomes).toMatchObject([
      { status: 'failed', failure: 'network', error: expect.stringContaining('no record') },
      { status: 'failed', failure: 'network' },
    ]);
    expect(sendCalls(f.server)).toHaveLength(1);
    expect(f.server.account.records).toHaveLength(0);
  });

  it('a reset and Aliyun unreachable for the check too: uncertain, never re-sent', async () => {
    const f = await fixture();
    f.server.outage('reset');
    const outcomes = await f.sms.send(templateBatch(phones(2)), f.ctx);
    f.server.restore();
    expect(outcomes.map((o) => o.status)).toEqual(['uncertain', 'uncertain']);
    expect(f.server.account.records).toHaveLength(0);
  });

  it('queryStatus after a crash: sent where Aliyun has the OutId, failed network where it has none', async () => {
    const f = await fixture();
    const batch = templateBatch(phones(3), (i) => `name: n${i}\ncode: ${i}`);
    await f.sms.send(batch, f.ctx);
    const answered = await f.sms.queryStatus!(batch, f.ctx);
    expect(answered.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);

    // A worker that died before the answer: no BizId in the state, the record is found by OutId.
    const crashed = await fixture();
    crashed.server.loseNextAnswer('SendBatchSms', { taken: true, holdMs: 1500 });
    const lost = templateBatch(phones(2), (i) => `name: n${i}\ncode: ${i}`, 'lost');
    // The dying worker's state writes are lost with it: it sends with a state nobody reads again.
    await crashed.sms.send(lost, { ...crashed.ctx, state: new MemoryPluginState() });
    const found = await crashed.sms.queryStatus!(lost, crashed.ctx);
    expect(found.map((o) => o.status)).toEqual(['sent', 'sent']);
    const never = await crashed.sms.queryStatus!(
      templateBatch(phones(1, 50), undefined, 'never'),
      crashed.ctx,
    );
    expect(never).toMatchObject([{ status: 'failed', failure: 'network' }]);
  });
});
