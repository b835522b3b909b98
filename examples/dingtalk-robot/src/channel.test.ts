import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock, isQunfaError, type OutboundBatch } from '@qunfa/core';
import { describeChannelConformance, testChannelContext } from '@qunfa/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkRobot, mobileOf } from './channel.js';
import { type FakeRobot, startFakeRobot } from './fake-robot.js';
import { robotSignature } from './sign.js';

const SECRET = 'SEC0123456789abcdef';

const batch = (texts: string[], key = 'b1'): OutboundBatch => ({
  batchId: key,
  campaignId: 'c1',
  account: null,
  idempotencyKey: key,
  messages: texts.map((text, i) => ({
    id: `d${i}`,
    address: `138000000${String(i).padStart(2, '0')}`,
    content: { type: 'text', text },
  })),
});

describe('channel:dingtalk-robot', () => {
  let robot: FakeRobot;
  beforeAll(async () => {
    robot = await startFakeRobot({ accessToken: 'tok', secret: SECRET, perMinute: 1000 });
  });
  afterAll(() => robot.stop());

  it('signs as DingTalk documents: Base64 HMAC-SHA256 of "<timestamp>\\n<secret>"', () => {
    // Computed independently: printf '1577262236757\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
    expect(robotSignature('SECtest', 1577262236757)).toBe('Za/ne6w2koB8B4ROVlgTNd/X+/FbyDpZrXLz57xNZSA=');
  });

  it('posts one signed text per distinct text, @-mentioning its recipients by mobile', async () => {
    // DingTalk refuses a timestamp more than an hour from its own time: the fake checks it against the real clock.
    const clock = new FakeClock(new Date(Math.floor(Date.now() / 1000) * 1000));
    robot.posted.length = 0;
    const channel = dingtalkRobot({ webhookUrl: robot.webhookUrl, secret: SECRET });
    const outcomes = await channel.send(
      batch(['双十一会员日', '双十一会员日', '你好']),
      testChannelContext({ now: () => clock.now() }),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
    expect(robot.posted).toEqual([
      {
        msgtype: 'text',
        text: { content: '双十一会员日\n@13800000000 @13800000001' },
        at: { atMobiles: ['13800000000', '13800000001'], isAtAll: false },
        timestamp: clock.now().getTime(),
      },
      expect.objectContaining({ text: { content: '你好\n@13800000002' } }),
    ]);
  });

  it('addresses mainland mobiles only', () => {
    const channel = dingtalkRobot({ webhookUrl: robot.webhookUrl });
    expect(channel.address([{ kind: 'phone', value: '+86 138-0000-0000' }])).toBe('13800000000');
    expect(channel.address([{ kind: 'phone', value: '+1 415 555 0100' }])).toBeUndefined();
    expect(channel.address([{ kind: 'email', value: 'a@example.com' }])).toBeUndefined();
    expect(mobileOf('008613912345678')).toBe('13912345678');
  });

  it('a wrong secret is the robot’s configuration, not the message: account_restricted', async () => {
    const channel = dingtalkRobot({ webhookUrl: robot.webhookUrl, secret: 'SECwrong' });
    const [outcome] = await channel.send(batch(['hi']), testChannelContext());
    expect(outcome).toMatchObject({ status: 'failed', failure: 'account_restricted' });
    expect(robot.refused.at(-1)).toBe(310000);
  });

  it('"send too fast" (130101) is rate_limited for ten minutes; a missing keyword is content_rejected', async () => {
    const strict = await startFakeRobot({ accessToken: 't2', keywords: ['通知'], perMinute: 1 });
    try {
      const channel = dingtalkRobot({ webhookUrl: strict.webhookUrl });
      const ctx = testChannelContext();
      expect((await channel.send(batch(['会员通知']), ctx))[0]).toMatchObject({ status: 'sent' });
      expect((await channel.send(batch(['会员通知'], 'b2'), ctx))[0]).toMatchObject({
        status: 'failed',
        failure: 'rate_limited',
        retryAfterMs: 600_000,
      });
      expect((await channel.send(batch(['hello'], 'b3'), ctx))[0]).toMatchObject({
        failure: 'content_rejected',
      });
    } finally {
      await strict.stop();
    }
  });

  it('an outage is a network failure; an answer that never comes is uncertain, never resent blindly', async () => {
    robot.down = true;
    try {
      const channel = dingtalkRobot({ webhookUrl: robot.webhookUrl });
      expect((await channel.send(batch(['x']), testChannelContext()))[0]).toMatchObject({
        failure: 'network',
      });
    } finally {
      robot.down = false;
    }
    const mute = createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = mute.address() as AddressInfo;
      const silent = dingtalkRobot({
        webhookUrl: `http://127.0.0.1:${port}/robot/send?access_token=x`,
        timeoutMs: 200,
      });
      expect((await silent.send(batch(['x']), testChannelContext()))[0]).toMatchObject({
        status: 'uncertain',
      });
    } finally {
      mute.closeAllConnections();
      mute.close();
    }
  });

  it('refuses bad options, naming the option', () => {
    try {
      dingtalkRobot({ webhookUrl: 'https://oapi.dingtalk.com/robot/send' });
      expect.unreachable();
    } catch (error) {
      expect(isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
      expect((error as { details: { field: string } }).details.field).toBe('webhookUrl');
    }
  });
});

describe('conformance', () => {
  let robot: FakeRobot;
  beforeAll(async () => {
    robot = await startFakeRobot({ accessToken: 'tok', secret: SECRET, perMinute: 100_000 });
  });
  afterAll(() => robot.stop());
  describeChannelConformance(
    'channel:dingtalk-robot',
    () => dingtalkRobot({ webhookUrl: robot.webhookUrl, secret: SECRET }),
    {
      identities: (i) => [{ kind: 'phone', value: `+86139${String(i).padStart(8, '0')}` }],
    },
  );
});
