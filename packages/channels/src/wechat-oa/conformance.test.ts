import { describeChannelConformance } from '@qunfa/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wechatOa } from './channel.js';
import { type FakeWechat, startFakeWechat } from './fake-server.js';
import { APP_ID, APP_SECRET, PUSH_TOKEN } from './test-support.js';

let server: FakeWechat;
beforeAll(async () => {
  server = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, accountType: 'service' });
  for (let i = 0; i < 500; i++) server.account.addFollower(`oa_openid-${i}`);
});
afterAll(() => server.close());

describeChannelConformance(
  'channel:wechat-oa against the fake WeChat',
  () =>
    wechatOa({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      baseUrl: server.url,
      callback: { token: PUSH_TOKEN },
    }),
  { unaddressable: [[{ kind: 'phone', value: '+8613800000000' }], [{ kind: 'oa_openid', value: '' }]] },
);

it('the conformance batches reached the fake as mass sends', () => {
  expect(server.requests.filter((r) => r.path === '/cgi-bin/message/mass/send').length).toBeGreaterThan(0);
});
