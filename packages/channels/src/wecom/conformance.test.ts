import { describeChannelConformance } from '@qunfa/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wecom } from './channel.js';
import { type FakeWecom, startFakeWecom } from './fake-server.js';
import { AGENT_ID, APP_SECRET, CORP_ID } from './test-support.js';

let server: FakeWecom;
beforeAll(async () => {
  server = await startFakeWecom({ corpId: CORP_ID, apps: [{ agentId: AGENT_ID, secret: APP_SECRET }] });
  for (let i = 0; i < 1000; i++) server.corp.addMember(`wecom_userid-${i}`);
});
afterAll(() => server.close());

describeChannelConformance(
  'channel:wecom against the fake WeCom',
  () => wecom({ corpId: CORP_ID, apps: [{ agentId: AGENT_ID, secret: APP_SECRET }], baseUrl: server.url }),
  { unaddressable: [[{ kind: 'phone', value: '+8613800000000' }], [{ kind: 'wecom_userid', value: '' }]] },
);

it('the conformance batches reached the fake as application messages', () => {
  expect(server.requests.filter((r) => r.path === '/cgi-bin/message/send').length).toBeGreaterThan(0);
});
