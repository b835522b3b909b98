import type { CallbackRequest } from '@qunfa/core';
import { describeChannelConformance } from '@qunfa/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wechatOa } from './channel.js';
import { type FakeWechat, startFakeWechat } from './fake-server.js';
import { APP_ID, APP_SECRET, PUSH_TOKEN } from './test-support.js';

const MASS_SEND = '/cgi-bin/message/mass/send';
const BUSY_RETRIES = 2;

let server: FakeWechat;
beforeAll(async () => {
  server = await startFakeWechat({
    appId: APP_ID,
    appSecret: APP_SECRET,
    accountType: 'service',
    callback: { token: PUSH_TOKEN },
  });
  for (let i = 0; i < 500; i++) server.account.addFollower(`oa_openid-${i}`);
});
afterAll(() => server.close());

const latestJobPush = (): CallbackRequest => {
  const jobs = [...server.account.jobs.values()];
  return server.jobFinishedPush(jobs.at(-1)!);
};
// In plain mode WeChat signs token, timestamp and nonce only, not the body: a forger can only get those wrong.
const tamper = (push: CallbackRequest): CallbackRequest[] => [
  { ...push, query: { ...push.query, signature: 'f'.repeat(40) } },
  { ...push, query: { ...push.query, timestamp: String(Number(push.query.timestamp) - 3600) } },
];

describeChannelConformance(
  'channel:wechat-oa against the fake WeChat',
  () =>
    wechatOa({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      baseUrl: server.url,
      callback: { token: PUSH_TOKEN },
      busyRetries: BUSY_RETRIES,
      busyBackoffMs: 1,
    }),
  {
    unaddressable: [[{ kind: 'phone', value: '+8613800000000' }], [{ kind: 'oa_openid', value: '' }]],
    provider: {
      sendRequests: () =>
        server.requests.filter((r) => r.path === MASS_SEND).map((r) => (r.body.touser as string[]) ?? []),
      maxRecipientsPerRequest: 10_000,
      // -1 (system busy) is retried inside the channel: safe, as every call carries the same clientmsgid.
      maxAttemptsPerRecipient: 1 + BUSY_RETRIES,
      outage() {
        server.failNext(MASS_SEND, -1, 'system error', 1_000_000);
        return () => server.clearFaults();
      },
    },
    callbacks: {
      forged: () => tamper(latestJobPush()),
      genuine: () => latestJobPush(),
    },
  },
);

it('the conformance batches reached the fake as mass sends', () => {
  expect(server.requests.filter((r) => r.path === MASS_SEND).length).toBeGreaterThan(0);
});
