import { MemoryPluginState } from '@qunfa/core';
import { describeChannelConformance, testChannelContext } from '@qunfa/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { smsAliyun } from './channel.js';
import { type FakeAliyun, startFakeAliyun } from './fake-server.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, CALLBACK_TOKEN, SIGN, TEMPLATE } from './test-support.js';

let server: FakeAliyun;
// The channel keeps each call's BizId in the shared plugin state; queryStatus reads it back.
const sharedState = new MemoryPluginState();
beforeAll(async () => {
  server = await startFakeAliyun({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    signNames: [SIGN],
    templates: { [TEMPLATE]: ['code'] },
    callbackToken: CALLBACK_TOKEN,
    perNumberDailyLimit: 1000,
  });
});
afterAll(() => server.close());

const recordsOf = (outcomes: { providerMessageId?: string }[]) => {
  const ids = new Set(outcomes.map((o) => o.providerMessageId));
  return server.account.records.filter((r) => ids.has(`${r.bizId}:${r.phone}`));
};

describeChannelConformance(
  'channel:sms-aliyun against the fake Aliyun',
  () =>
    smsAliyun({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      signName: SIGN,
      endpoint: server.endpoint,
      protocol: 'http',
      callbackToken: CALLBACK_TOKEN,
    }),
  {
    content: { type: 'template', subject: TEMPLATE, text: 'code: 1234' },
    unaddressable: [[{ kind: 'phone', value: '12345' }], [{ kind: 'email', value: 'a@example.com' }]],
    invalidAddress: '+86123',
    maxBatchForTest: 1000,
    context: () => testChannelContext({ state: sharedState }),
    provider: {
      // As the kernel addressed them (E.164); Aliyun takes mainland numbers as 11 digits.
      sendRequests: () =>
        server.requests.filter((r) => r.action.startsWith('Send')).map((r) => r.phones.map((p) => `+86${p}`)),
      maxRecipientsPerRequest: 1000,
      outage() {
        server.outage('503');
        return () => server.restore();
      },
    },
    callbacks: {
      forged: ({ outcomes }) => [
        server.reportPush(recordsOf(outcomes), { token: 'not-the-token-0123456789' }),
        { ...server.reportPush(recordsOf(outcomes)), query: {} },
      ],
      genuine: ({ outcomes }) => server.reportPush(recordsOf(outcomes)),
    },
  },
);
