import { MemoryPluginState } from '@qunfa/core';
import { describeChannelConformance, testChannelContext } from '@qunfa/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { smsTencent } from './channel.js';
import { type FakeTencent, startFakeTencent } from './fake-server.js';
import { APP_ID, CALLBACK_TOKEN, SECRET_ID, SECRET_KEY, SIGN, TEMPLATE } from './test-support.js';

let server: FakeTencent;
const state = new MemoryPluginState();
beforeAll(async () => {
  server = await startFakeTencent({
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    smsSdkAppId: APP_ID,
    signNames: [SIGN],
    templates: { [TEMPLATE]: 1 },
    callbackToken: CALLBACK_TOKEN,
    perNumberDailyLimit: 1000,
  });
});
afterAll(() => server.close());

const recordsOf = (outcomes: { providerMessageId?: string }[]) => {
  const ids = new Set(outcomes.map((o) => o.providerMessageId));
  return server.records.filter((r) => ids.has(r.serialNo));
};

describeChannelConformance(
  'channel:sms-tencent against the fake Tencent Cloud',
  () =>
    smsTencent({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      smsSdkAppId: APP_ID,
      signName: SIGN,
      endpoint: server.endpoint,
      protocol: 'http://',
      callbackToken: CALLBACK_TOKEN,
    }),
  {
    content: { type: 'template', subject: TEMPLATE, text: 'code: 1234' },
    unaddressable: [[{ kind: 'phone', value: '12345' }], [{ kind: 'email', value: 'a@example.com' }]],
    invalidAddress: '+86123',
    context: () => testChannelContext({ state }),
    provider: {
      sendRequests: () => server.requests.filter((r) => r.action === 'SendSms').map((r) => r.phones),
      maxRecipientsPerRequest: 200,
      outage() {
        server.outage();
        return () => server.restore();
      },
    },
    callbacks: {
      forged: ({ outcomes }) => [
        server.statusCallback(recordsOf(outcomes), { token: 'not-the-token-0123456789' }),
        { ...server.statusCallback(recordsOf(outcomes)), query: {} },
      ],
      genuine: ({ outcomes }) => server.statusCallback(recordsOf(outcomes)),
    },
  },
);
