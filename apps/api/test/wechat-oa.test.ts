import { wechatOa } from '@qunfa/channels';
import { type FakeWechat, startFakeWechat } from '@qunfa/channels/wechat-oa/fake-server';
import type { CallbackRequest } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
import { gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = 'oa-secret-for-tests';
const PUSH_TOKEN = 'pushToken123';
const openid = (i: number) => `oFollower${String(i).padStart(20, '0')}`;

const DELIVERIES = `query($id: ID!) { campaign(id: $id) { state counters { sent failed }
  deliveries { edges { node { state lastError } } } } }`;

/** One campaign through API, engine, the channel and the fake WeChat; then WeChat's push of its job. */
describe.each(drivers)('channel:wechat-oa end to end on %s', (driver) => {
  let t: TestApp;
  let fake: FakeWechat;
  let campaignId: string;

  const post = (push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/wechat-oa?${new URLSearchParams(push.query)}`, {
      method: 'POST',
      body: push.body,
    });

  beforeAll(async () => {
    fake = await startFakeWechat({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      callback: { token: PUSH_TOKEN },
    });
    for (let i = 0; i < 3; i++) fake.account.addFollower(openid(i));
    const oa = wechatOa({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      baseUrl: fake.url,
      callback: { token: PUSH_TOKEN },
    });
    t = await startTestApp(driver, { receiptPollIntervalMs: 100 }, [oa, ...builtinMetrics()]);
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '会员',
      count: 3,
      identity: (i) => ({ kind: 'OA_OPENID', value: openid(i) }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '服务号会员日',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '会员日，全场八折' } }],
          channelPlan: [{ channel: 'channel:wechat-oa', trackLinks: false }],
        },
      },
    );
    campaignId = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: campaignId,
    });
    for (let i = 0; (await t.app.deps.store.getCampaign(campaignId))?.state !== 'completed'; i++) {
      if (i > 400) throw new Error('the campaign did not complete');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('went out as one mass send, every follower sent by job', async () => {
    const sends = fake.requests.filter((r) => r.path === '/cgi-bin/message/mass/send');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.body).toMatchObject({ msgtype: 'text', text: { content: '会员日，全场八折' } });
    expect((sends[0]!.body.touser as string[]).sort()).toEqual([openid(0), openid(1), openid(2)]);
    const { campaign } = await gqlOk<{ campaign: { counters: { sent: number } } }>(
      t.url,
      t.a.keys.viewer,
      DELIVERIES,
      { id: campaignId },
    );
    expect(campaign.counters.sent).toBe(3);
  });

  it("the campaign shows its job, and WeChat's totals once the job's push came", async () => {
    const JOBS = `query($id: ID!) { campaign(id: $id) { oaJobs { channel msgId recipients awaiting sent failed
      escalated totals { status total toSend filteredOut sent errors at } } } }`;
    const read = async () =>
      (
        await gqlOk<{ campaign: { oaJobs: Record<string, unknown>[] } }>(t.url, t.a.keys.viewer, JOBS, {
          id: campaignId,
        })
      ).campaign.oaJobs;
    const job = [...fake.account.jobs.values()][0]!;
    const mine = { channel: 'channel:wechat-oa', msgId: String(job.msgId), recipients: 3, awaiting: 0 };
    expect(await read()).toEqual([{ ...mine, sent: 3, failed: 0, escalated: 0, totals: null }]);
    // WeChat filtered one follower (the month's 4 reached elsewhere): only the totals say so.
    Object.assign(job, { filtered: 2, sent: 2 });
    expect((await post(fake.jobFinishedPush(job))).status).toBe(200);
    expect(await read()).toEqual([
      {
        ...mine,
        sent: 3,
        failed: 0,
        escalated: 0,
        totals: {
          status: 'send success',
          total: 3,
          toSend: 2,
          filteredOut: 1,
          sent: 2,
          errors: 0,
          at: expect.any(String),
        },
      },
    ]);
  });

  it('a follower’s 退订 becomes an inbound message that unsubscribes them', async () => {
    const push = fake.push({
      FromUserName: openid(1),
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: '退订',
      MsgId: 777,
    });
    expect((await post(push)).status).toBe(200);
    const { inboundMessages } = await gqlOk<{
      inboundMessages: { edges: { node: { text: string; unsubscribed: boolean; campaignId: string } }[] };
    }>(
      t.url,
      t.a.keys.viewer,
      'query { inboundMessages { edges { node { text unsubscribed campaignId } } } }',
    );
    expect(inboundMessages.edges.map((e) => e.node)).toEqual([
      { text: '退订', unsubscribed: true, campaignId },
    ]);
  });
  it('an operator answers a follower from triage with a customer-service message, only within 48 hours', async () => {
    const item = async (text: string) => {
      const { triageItems } = await gqlOk<{
        triageItems: { edges: { node: { id: string; message: { text: string } } }[] };
      }>(t.url, t.a.keys.viewer, 'query { triageItems { edges { node { id message { text } } } } }');
      return triageItems.edges.find((e) => e.node.message.text === text)!.node.id;
    };
    const REPLY = `mutation($id: ID!, $text: String!) { replyToTriageItem(id: $id, text: $text) {
      item { status } reply { status channel } } }`;
    const now = Math.floor(Date.now() / 1000);
    const ask = (i: number, text: string, at: number) =>
      post(
        fake.push({
          FromUserName: openid(i),
          CreateTime: at,
          MsgType: 'text',
          Content: text,
          MsgId: 800 + i,
        }),
      );
    expect((await ask(2, '请问会员日几点开始', now)).status).toBe(200);
    const answered = await gqlOk<{ replyToTriageItem: unknown }>(t.url, t.a.keys.operator, REPLY, {
      id: await item('请问会员日几点开始'),
      text: '上午十点开始',
    });
    expect(answered.replyToTriageItem).toEqual({
      item: { status: 'REPLIED' },
      reply: { status: 'sent', channel: 'channel:wechat-oa' },
    });
    expect(fake.account.customSends.map((c) => [c.touser, c.content])).toEqual([[openid(2), '上午十点开始']]);

    // A follower who last wrote three days ago is out of WeChat's window: refused, nothing sent or kept.
    expect((await ask(0, '还有优惠吗', now - 72 * 3600)).status).toBe(200);
    const late = await item('还有优惠吗');
    const before = await rowCounts(t.app.deps.db);
    const refused = await gql(t.url, t.a.keys.operator, REPLY, { id: late, text: '有的' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('REPLY_WINDOW_CLOSED');
    expect(fake.account.customSends).toHaveLength(1);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('a forged job push writes nothing; a signed one failing the job fails its deliveries', async () => {
    const job = [...fake.account.jobs.values()][0]!;
    job.state = 'failed';
    job.failStatus = 'err(20002)';
    const push = fake.jobFinishedPush(job);
    const before = await rowCounts(t.app.deps.db);
    const forged = { ...push, query: { ...push.query, signature: '0'.repeat(40) } };
    expect((await post(forged)).status).toBe(401);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);

    const res = await post(push);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('success');
    const { campaign } = await gqlOk<{
      campaign: {
        counters: { sent: number; failed: number };
        deliveries: { edges: { node: { state: string; lastError: string } }[] };
      };
    }>(t.url, t.a.keys.viewer, DELIVERIES, { id: campaignId });
    expect(campaign.counters).toEqual({ sent: 0, failed: 3 });
    expect(campaign.deliveries.edges[0]!.node.lastError).toContain('err(20002)');
  });
});
