import { wechatPersonal } from '@qunfa/channels';
import { mockWechat } from '@qunfa/channels/wechat-personal/mock-puppet';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FRIENDS = ['wxid_friend0', 'wxid_friend1', 'wxid_friend2'];
const GROUP = '1111@chatroom';
const LEFT_GROUP = '2222@chatroom';
const TARGETS = [...FRIENDS, GROUP, LEFT_GROUP];

const ACCOUNT = `id status reason selfId warmingUp healthScore
  usage { massSends friendMessages groupMessages sent } policy { recipientsPerSend massSendsPerDay warmUpDays }`;

type Login = { wechatPersonalLogin: { type: string; qrcode: string | null; status: string | null } };

/** A personal WeChat campaign through GraphQL, engine, channel and the mock puppet. */
describe.each(drivers)('channel:wechat-personal end to end on %s', (driver) => {
  let t: TestApp;
  const mock = mockWechat({
    wx1: {
      friends: FRIENDS,
      groups: [
        { id: GROUP, topic: '会员群', members: FRIENDS },
        { id: LEFT_GROUP, topic: '旧群', members: FRIENDS, member: false },
      ],
    },
  });

  beforeAll(async () => {
    t = await startTestApp(driver, { quietHours: 'off', receiptPollIntervalMs: 100 }, (services) => [
      wechatPersonal({
        puppets: { mock: mock.factory },
        state: services.pluginState('channel:wechat-personal'),
        limiter: services.limiter,
        sleep: async () => {},
      }),
      ...builtinMetrics(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('logs an account in by QR code over a GraphQL subscription', async () => {
    const admin = t.a.keys.admin;
    const added = await gqlOk<{ addWechatPersonalAccount: { status: string } }>(
      t.url,
      admin,
      `mutation { addWechatPersonalAccount(id: "wx1", puppet: "mock", label: "客服一号") { ${ACCOUNT} } }`,
    );
    expect(added.addWechatPersonalAccount.status).toBe('logged_out');
    const refused = await gql(
      t.url,
      t.a.keys.operator,
      'mutation { loginWechatPersonalAccount(id: "wx1") { id } }',
    );
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    const otherWorkspace = await gql(
      t.url,
      t.b.keys.admin,
      'mutation { loginWechatPersonalAccount(id: "wx1") { id } }',
    );
    expect(codesOf(otherWorkspace)).toEqual(['NOT_FOUND']);
    await gqlOk(t.url, admin, 'mutation { loginWechatPersonalAccount(id: "wx1") { id } }');
    mock.scan('wx1', 'https://login.weixin.qq.com/l/qr-wx1');
    const client = wsClient(t.url, admin);
    const login = collect<Login>(
      client,
      'subscription { wechatPersonalLogin(id: "wx1") { type qrcode status } }',
      {},
      (e) => e.wechatPersonalLogin.type === 'login',
    );
    await expect.poll(() => login.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    mock.confirm('wx1');
    await login.done;
    await client.dispose();
    expect(login.errors).toEqual([]);
    expect(login.events.map((e) => e.wechatPersonalLogin)).toEqual([
      { type: 'scan', qrcode: 'https://login.weixin.qq.com/l/qr-wx1', status: 'waiting' },
      { type: 'login', qrcode: null, status: null },
    ]);
    await expect
      .poll(async () => {
        const { wechatPersonalAccounts } = await gqlOk<{ wechatPersonalAccounts: { status: string }[] }>(
          t.url,
          t.a.keys.viewer,
          `{ wechatPersonalAccounts { ${ACCOUNT} } }`,
        );
        return wechatPersonalAccounts[0]?.status;
      })
      .toBe('logged_in');
    const bad = await gql(
      t.url,
      admin,
      'mutation { setWechatPersonalPolicy(id: "wx1", policy: { maxTextLength: 5000 }) { id } }',
    );
    expect(codesOf(bad)).toEqual(['INVALID_INPUT']);
    const { setWechatPersonalPolicy } = await gqlOk<{
      setWechatPersonalPolicy: {
        warmingUp: boolean;
        policy: { warmUpDays: number; massSendsPerDay: number };
      };
    }>(
      t.url,
      admin,
      `mutation { setWechatPersonalPolicy(id: "wx1", policy: { warmUpDays: 0, massSendsPerDay: 3 }) { ${ACCOUNT} } }`,
    );
    expect(setWechatPersonalPolicy).toMatchObject({
      warmingUp: false,
      policy: { warmUpDays: 0, massSendsPerDay: 3 },
    });
  });

  it('sends a campaign to friends and groups; the left group fails without a retry', async () => {
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '个微好友',
      count: TARGETS.length,
      identity: (i) => ({ kind: 'WXID', value: TARGETS[i]! }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '个微通知',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '周末到店有礼' } }],
          channelPlan: [{ channel: 'channel:wechat-personal', trackLinks: false }],
        },
      },
    );
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    for (let i = 0; (await t.app.deps.store.getCampaign(createCampaign.id))?.state !== 'completed'; i++) {
      if (i > 400) throw new Error('the campaign did not complete');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(mock.sends.map((s) => s.to).sort()).toEqual([...FRIENDS, GROUP].sort());
    expect(mock.sends.every((s) => s.text === '周末到店有礼' && s.account === 'wx1')).toBe(true);
    const { campaign } = await gqlOk<{
      campaign: {
        counters: { sent: number; failed: number };
        deliveries: { edges: { node: { state: string; lastError: string | null } }[] };
      };
    }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { counters { sent failed } deliveries { edges { node { state lastError } } } } }`,
      { id: createCampaign.id },
    );
    expect(campaign.counters).toEqual({ sent: 4, failed: 1 });
    const failed = campaign.deliveries.edges.map((e) => e.node).filter((d) => d.state === 'FAILED');
    expect(failed).toEqual([
      { state: 'FAILED', lastError: 'not in this group (left or removed) on any account (wx1)' },
    ]);
    const { wechatPersonalAccounts } = await gqlOk<{
      wechatPersonalAccounts: {
        usage: { massSends: number; friendMessages: number; groupMessages: number };
      }[];
    }>(t.url, t.a.keys.viewer, `{ wechatPersonalAccounts { ${ACCOUNT} } }`);
    expect(wechatPersonalAccounts[0]?.usage).toMatchObject({
      massSends: 1,
      friendMessages: 3,
      groupMessages: 1,
    });
  });

  it("keeps the account's friends as relations: a friend who deleted it is not reached through it any more", async () => {
    const reach = () =>
      rows<{ value: string; removed_by: string | null }>(
        t.app.deps.db,
        sql`SELECT ci.value, r.removed_by FROM contact_reach r
            JOIN contact_identities ci ON ci.contact_id = r.contact_id AND ci.kind = 'wxid'
            WHERE r.workspace_id = ${t.a.id} AND r.channel = 'channel:wechat-personal' AND r.account = 'wx1'
            ORDER BY ci.value`,
      );
    // The friends' contacts came after the login's sweep: the next sweep gives them their relation.
    const SYNC = `mutation { syncWechatPersonalFriends(id: "wx1") { id } }`;
    expect(codesOf(await gql(t.url, t.a.keys.operator, SYNC))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.url, t.b.keys.admin, SYNC))).toEqual(['NOT_FOUND']);
    await gqlOk(t.url, t.a.keys.admin, SYNC);
    await expect
      .poll(reach, { timeout: 10_000 })
      .toEqual(FRIENDS.map((value) => ({ value, removed_by: null })));
    await mock.unfriend('wx1', 'wxid_friend2');
    await gqlOk(t.url, t.a.keys.admin, SYNC);
    await expect
      .poll(reach, { timeout: 10_000 })
      .toEqual(
        FRIENDS.map((value) => ({ value, removed_by: value === 'wxid_friend2' ? 'by_customer' : null })),
      );
  });

  it("records a friend's reply as an inbound message of the workspace", async () => {
    mock.say('wx1', 'wxid_friend1', '请问地址在哪？');
    await expect
      .poll(
        async () => {
          const res = await gqlOk<{ inboundMessages: { edges: { node: { text: string } }[] } }>(
            t.url,
            t.a.keys.viewer,
            '{ inboundMessages { edges { node { text } } } }',
          );
          return res.inboundMessages.edges.map((e) => e.node.text);
        },
        { timeout: 10_000 },
      )
      .toContain('请问地址在哪？');
  });
});
