import { sandbox, stateRelations, wecom } from '@qunfa/channels';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { type CallbackRequest, scopePluginState } from '@qunfa/core';
import { builtinGroupMetrics, builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-tests';
const CONTACT_SECRET = 'wecom-contact-secret-for-tests';
const CALLBACK = { token: 'cbToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const member = (i: number) => `member${i}`;
const customer = (i: number) => `wmCustomer${String(i).padStart(4, '0')}`;

const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const START = 'mutation($id: ID!) { startCampaign(id: $id) { id } }';

/**
 * Two campaigns through API, engine, `channel:wecom` and the fake WeCom: application messages to
 * members, then a customer mass send over two staff senders — one confirms, the other does not,
 * and its customers are cancelled at the deadline and escalated to SMS (the sandbox), once.
 */
describe.each(drivers)('channel:wecom end to end on %s', (driver) => {
  let t: TestApp;
  let fake: FakeWecom;
  const sms = sandbox({ name: 'channel:sms', identityKinds: ['phone'], latencyMs: { min: 1, max: 2 } });

  const post = (push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/wecom?${new URLSearchParams(push.query)}`, {
      method: push.method,
      body: push.body || undefined,
    });
  const waitFor = async (what: string, done: () => Promise<boolean> | boolean) => {
    for (let i = 0; !(await done()); i++) {
      if (i > 600) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const createContacts = (input: unknown[]) =>
    gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input,
      },
    );
  const tag = async (name: string) =>
    (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        t.a.keys.operator,
        'mutation($name: String!) { createTag(input: { name: $name }) { id } }',
        {
          name,
        },
      )
    ).createTag.id;
  const run = async (input: Record<string, unknown>) => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      { input },
    );
    await gqlOk(t.url, t.a.keys.operator, START, { id: createCampaign.id });
    return createCampaign.id;
  };
  const completed = (id: string) => async () =>
    (await t.app.deps.store.getCampaign(id))?.state === 'completed';

  beforeAll(async () => {
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
    });
    for (let i = 0; i < 3; i++) fake.corp.addMember(member(i));
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
      baseUrl: fake.url,
      confirmationDeadlineMs: 1500,
      taskPollMs: 50,
    });
    // A second corp instance without a confirmation deadline: its tasks wait for the operator.
    const shop = wecom({
      name: 'channel:wecom-shop',
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      baseUrl: fake.url,
      taskPollMs: 50,
    });
    // A third, whose admin set the customer cap to one mass message a day (1 a day).
    const daily = wecom({
      name: 'channel:wecom-daily',
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      baseUrl: fake.url,
      taskPollMs: 50,
      customerCap: 'day-1',
    });
    t = await startTestApp(driver, { receiptPollIntervalMs: 100 }, [
      channel,
      shop,
      daily,
      sms,
      ...builtinMetrics(),
      ...builtinGroupMetrics(),
    ]);
    // A loaded machine (load 25–30 on 2 cores) took over 120 s to start the app on PGlite after the PostgreSQL run.
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('answers the URL check with the decrypted echostr', async () => {
    const res = await post(fake.verifyUrl('echo-from-wecom'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('echo-from-wecom');
  });

  it('sends application messages to members in one message/send', async () => {
    const members = await tag('员工');
    await createContacts(
      [0, 1, 2].map((i) => ({
        name: `m${i}`,
        identities: [{ kind: 'WECOM_USERID', value: member(i) }],
        tagIds: [members],
      })),
    );
    const id = await run({
      name: '内部通知',
      audience: { tag: members },
      variants: [{ key: 'A', content: { text: '周五下午培训' } }],
      channelPlan: [{ channel: 'channel:wecom', trackLinks: false }],
    });
    await waitFor('the member campaign', completed(id));
    const sends = fake.requests.filter((r) => r.path === '/cgi-bin/message/send');
    expect(sends).toHaveLength(1);
    expect(String(sends[0]!.body.touser).split('|').sort()).toEqual([member(0), member(1), member(2)]);
    expect((await t.app.deps.store.counters(id)).sent).toBe(3);
  });

  it('a member’s TD to the app unsubscribes them; forged, wrong-corp and replayed pushes write nothing', async () => {
    const push = fake.push({
      FromUserName: member(1),
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: 'TD',
      MsgId: '7001',
      AgentID: AGENT_ID,
    });
    const before = await rowCounts(t.app.deps.db);
    expect((await post({ ...push, query: { ...push.query, msg_signature: '0'.repeat(40) } })).status).toBe(
      401,
    );
    const otherCorp = fake.push(
      {
        FromUserName: member(2),
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'text',
        Content: 'x',
        MsgId: '7002',
      },
      { receiveId: 'wwanothercorp000000' },
    );
    expect((await post(otherCorp)).status).toBe(401);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);

    expect((await post(push)).status).toBe(200);
    const afterFirst = await rowCounts(t.app.deps.db);
    expect((await post(push)).status).toBe(200);
    expect(await rowCounts(t.app.deps.db)).toEqual(afterFirst);
    const { inboundMessages } = await gqlOk<{
      inboundMessages: { edges: { node: { text: string; unsubscribed: boolean } }[] };
    }>(t.url, t.a.keys.viewer, 'query { inboundMessages { edges { node { text unsubscribed } } } }');
    expect(inboundMessages.edges.map((e) => e.node)).toEqual([{ text: 'TD', unsubscribed: true }]);
  });

  it('a customer mass send: per-sender tasks, one confirmed, the other cancelled at the deadline and escalated once', async () => {
    // zhangsan has customers 0–1, lisi 2–3; WeCom tells us through change_external_contact.
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 4; i++) {
      const userid = i < 2 ? 'zhangsan' : 'lisi';
      fake.corp.customers.addCustomer(customer(i), userid);
      const push = fake.push({
        FromUserName: 'sys',
        CreateTime: now,
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: userid,
        ExternalUserID: customer(i),
      });
      expect((await post(push)).status).toBe(200);
    }
    const customers = await tag('客户');
    await createContacts(
      [0, 1, 2, 3].map((i) => ({
        name: `c${i}`,
        identities: [
          { kind: 'WECOM_EXTERNAL_USERID', value: customer(i) },
          { kind: 'PHONE', value: `+8613800000${String(i).padStart(3, '0')}` },
        ],
        tagIds: [customers],
      })),
    );
    const id = await run({
      name: '会员日群发',
      audience: { tag: customers },
      variants: [{ key: 'A', content: { text: '会员日，全场八折' } }],
      channelPlan: [
        { channel: 'channel:wecom', trackLinks: false, escalateAfterMs: 4000, escalateUnless: 'DELIVERED' },
        { channel: 'channel:sms', trackLinks: false },
      ],
    });
    await waitFor('two tasks', () => fake.corp.customers.tasks.size === 2);
    const [zhang] = fake.corp.customers.tasksOf('zhangsan');
    const [li] = fake.corp.customers.tasksOf('lisi');
    expect(zhang!.targets).toEqual([customer(0), customer(1)]);
    fake.corp.customers.confirm(zhang!.msgid);
    await waitFor('the customer campaign', completed(id));

    expect(
      fake.requests
        .filter((r) => r.path === '/cgi-bin/externalcontact/cancel_groupmsg_send')
        .map((r) => r.body),
    ).toEqual([{ msgid: li!.msgid }]);
    expect(
      sms.provider
        .accepted()
        .map((m) => m.address)
        .sort(),
    ).toEqual(['+8613800000002', '+8613800000003']);
    fake.corp.customers.confirm(li!.msgid);
    expect(fake.corp.customers.receivedThisMonth(customer(2))).toBe(0);
    const c = await t.app.deps.store.counters(id);
    expect({ delivered: c.delivered, sent: c.sent, total: c.total }).toEqual({
      delivered: 2,
      sent: 2,
      total: 4,
    });
    const attempts = await rows<{
      channel: string;
      account: string | null;
      status: string;
      note: string | null;
    }>(
      t.app.deps.db,
      sql`SELECT a.channel, a.account, a.status, a.note FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
          WHERE d.campaign_id = ${Number(id)}::bigint ORDER BY a.channel, a.account`,
    );
    const first = `added them first (${new Date(now * 1000).toISOString().slice(0, 10)})`;
    expect(attempts.filter((a) => a.channel === 'channel:wecom').map((a) => a.note)).toEqual([
      first,
      first,
      first,
      first,
    ]);
    expect(attempts).toEqual([
      { channel: 'channel:sms', account: null, status: 'sent', note: null },
      { channel: 'channel:sms', account: null, status: 'sent', note: null },
      { channel: 'channel:wecom', account: 'lisi', status: 'awaiting_confirmation', note: first },
      { channel: 'channel:wecom', account: 'lisi', status: 'awaiting_confirmation', note: first },
      { channel: 'channel:wecom', account: 'zhangsan', status: 'awaiting_confirmation', note: first },
      { channel: 'channel:wecom', account: 'zhangsan', status: 'awaiting_confirmation', note: first },
    ]);
  }, 60_000);

  it('change_external_contact keeps contact_reach current: added, then deleted by the customer, never used again', async () => {
    const { createContacts: created } = await gqlOk<{ createContacts: { id: string }[] }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input: [{ name: 'reach', identities: [{ kind: 'WECOM_EXTERNAL_USERID', value: 'wmReach0001' }] }] },
    );
    const contactId = Number(created[0]!.id);
    const reach = () =>
      rows<{ account: string; removed_by: string | null }>(
        t.app.deps.db,
        sql`SELECT account, removed_by FROM contact_reach WHERE contact_id = ${contactId} ORDER BY account`,
      );
    const change = (ChangeType: string, UserID: string) =>
      fake.push({
        FromUserName: 'sys',
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType,
        UserID,
        ExternalUserID: 'wmReach0001',
      });
    expect((await post(change('add_external_contact', 'zhangsan'))).status).toBe(200);
    expect((await post(change('add_external_contact', 'lisi'))).status).toBe(200);
    expect(await reach()).toEqual([
      { account: 'lisi', removed_by: null },
      { account: 'zhangsan', removed_by: null },
    ]);
    const deleted = change('del_follow_user', 'zhangsan');
    expect((await post(deleted)).status).toBe(200);
    expect(await reach()).toEqual([
      { account: 'lisi', removed_by: null },
      { account: 'zhangsan', removed_by: 'by_customer' },
    ]);
    // A forged push (another corp's key) changes nothing.
    const forged = fake.push(
      {
        FromUserName: 'sys',
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: 'zhangsan',
        ExternalUserID: 'wmReach0001',
      },
      { receiveId: 'wwOtherCorp0001' },
    );
    expect((await post(forged)).status).toBeGreaterThanOrEqual(400);
    expect((await reach())[1]).toEqual({ account: 'zhangsan', removed_by: 'by_customer' });
  });

  it('per-sender tasks over GraphQL: waiting, confirmed with results; 3 reminders then RATE_LIMITED; a cancel', async () => {
    const relations = stateRelations(scopePluginState(t.app.deps.pluginState, 'channel:wecom-shop'));
    const shopper = (i: number) => `wmShop${i}`;
    for (const [i, userid] of [
      [0, 'wangwu'],
      [1, 'wangwu'],
      [2, 'zhaoliu'],
    ] as const) {
      fake.corp.customers.addCustomer(shopper(i), userid, new Date('2024-01-01T00:00:00Z'));
      await relations.upsert(shopper(i), { userid, addedAt: Date.parse('2024-01-01T00:00:00Z') / 1000 });
    }
    fake.corp.customers.setReceivedThisMonth(shopper(1), 31);
    const shop = await tag('门店客户');
    const shopperPhone = '+8613900000002';
    await createContacts(
      [0, 1, 2].map((i) => ({
        name: `s${i}`,
        identities: [
          { kind: 'WECOM_EXTERNAL_USERID', value: shopper(i) },
          ...(i === 2 ? [{ kind: 'PHONE', value: shopperPhone }] : []),
        ],
        tagIds: [shop],
      })),
    );
    const tasksBefore = fake.corp.customers.tasks.size;
    const input = (escalateAfterMs: number) => ({
      name: '门店群发',
      audience: { tag: shop },
      variants: [{ key: 'A', content: { text: '门店周年庆' } }],
      // The shop corp has no deadline of its own: this campaign gives its tasks one hour.
      channelPlan: [
        {
          channel: 'channel:wecom-shop',
          trackLinks: false,
          escalateAfterMs,
          confirmationDeadlineMs: 3_600_000,
        },
        { channel: 'channel:sms', trackLinks: false },
      ],
    });
    // Escalating after 30 minutes, before the hour its senders have to confirm: refused at start.
    const { createCampaign: early } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      { input: input(1_800_000) },
    );
    const refused = await gql(t.url, t.a.keys.operator, START, { id: early.id });
    expect(codesOf(refused)).toEqual(['COMPLIANCE_BLOCKED']);
    const findings = refused.errors?.[0]?.extensions?.details?.findings as {
      code: string;
      channel: string;
    }[];
    expect(findings.map((f) => [f.code, f.channel])).toEqual([
      ['ESCALATION_BEFORE_CONFIRMATION_DEADLINE', 'channel:wecom-shop'],
    ]);
    expect(fake.corp.customers.tasks.size).toBe(tasksBefore);
    const id = await run(input(3_600_000));
    await waitFor('two shop tasks', () => fake.corp.customers.tasks.size === tasksBefore + 2);
    const TASKS = `query($id: ID!) { campaign(id: $id) { wecomTasks { channel sender msgid state remindersLeft
      recipients awaiting delivered filtered failed escalated deadlineAt } } }`;
    type Task = { sender: string; msgid: string; state: string; remindersLeft: number } & Record<
      string,
      unknown
    >;
    const tasks = async () =>
      (await gqlOk<{ campaign: { wecomTasks: Task[] } }>(t.url, t.a.keys.viewer, TASKS, { id })).campaign
        .wecomTasks;
    await waitFor('deliveries awaiting', async () => (await tasks()).length === 2);
    const [wang, zhao] = await tasks();
    expect(wang).toMatchObject({
      sender: 'wangwu',
      state: 'WAITING',
      remindersLeft: 3,
      recipients: 2,
      awaiting: 2,
    });
    expect(zhao).toMatchObject({ sender: 'zhaoliu', state: 'WAITING', recipients: 1 });
    const deadlineIn = Date.parse(String(zhao!.deadlineAt)) - Date.now();
    expect(deadlineIn).toBeGreaterThan(3_000_000);
    expect(deadlineIn).toBeLessThanOrEqual(3_600_000);

    fake.corp.customers.confirm(fake.corp.customers.tasksOf('wangwu').at(-1)!.msgid);
    await waitFor('wangwu’s results', async () => (await tasks())[0]!.awaiting === 0);
    expect((await tasks())[0]).toMatchObject({
      state: 'CONFIRMED',
      awaiting: 0,
      delivered: 1,
      filtered: 1,
      failed: 0,
    });

    const REMIND =
      'mutation($input: WecomTaskInput!) { remindWecomTask(input: $input) { remindersLeft state } }';
    const CANCEL =
      'mutation($input: WecomTaskInput!) { cancelWecomTask(input: $input) { state awaiting failed escalated } }';
    const task = { campaignId: id, channel: 'channel:wecom-shop', msgid: zhao!.msgid };
    const viewerTry = await gql(t.url, t.a.keys.viewer, REMIND, { input: task });
    expect(codesOf(viewerTry)).toEqual(['FORBIDDEN']);
    for (const left of [2, 1, 0]) {
      const r = await gqlOk<{ remindWecomTask: { remindersLeft: number } }>(
        t.url,
        t.a.keys.operator,
        REMIND,
        { input: task },
      );
      expect(r.remindWecomTask.remindersLeft).toBe(left);
    }
    const fourth = await gql(t.url, t.a.keys.operator, REMIND, { input: task });
    expect(codesOf(fourth)).toEqual(['RATE_LIMITED']);
    expect(fourth.errors?.[0]?.extensions?.details?.retryAfterMs).toBeGreaterThan(23 * 3600_000);
    const reminds = fake.requests.filter((r) => r.path === '/cgi-bin/externalcontact/remind_groupmsg_send');
    expect(reminds.filter((r) => r.body.msgid === zhao!.msgid)).toHaveLength(3);
    const confirmedRemind = await gql(t.url, t.a.keys.operator, REMIND, {
      input: { ...task, msgid: wang!.msgid },
    });
    expect(codesOf(confirmedRemind)).toEqual(['INVALID_INPUT']);
    const unknown = await gql(t.url, t.a.keys.operator, REMIND, { input: { ...task, msgid: 'msgNotOurs' } });
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);

    // The operator cancels zhaoliu's task: its customer is not left awaiting an hour for the window,
    // it goes to SMS at once — and WeCom no longer sends it.
    const cancelled = await gqlOk<{ cancelWecomTask: Record<string, unknown> }>(
      t.url,
      t.a.keys.operator,
      CANCEL,
      { input: task },
    );
    expect(cancelled.cancelWecomTask).toMatchObject({ state: 'CANCELLED', awaiting: 0 });
    await waitFor('the cancelled customer by SMS', () =>
      sms.provider.accepted().some((m) => m.address === shopperPhone),
    );
    await waitFor('the shop campaign', completed(id));
    expect((await tasks())[1]).toMatchObject({ state: 'CANCELLED', awaiting: 0, escalated: 1 });
    fake.corp.customers.confirm(zhao!.msgid);
    expect(fake.corp.customers.receivedThisMonth(shopper(2))).toBe(0);
    expect(sms.provider.accepted().filter((m) => m.address === shopperPhone)).toHaveLength(1);

    // The next campaign to the same customers, before its start: wmShop1 was answered 3 (full).
    const { createCampaign: next } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      {
        input: {
          name: '门店群发二',
          audience: { tag: shop },
          variants: [{ key: 'A', content: { text: '周末特卖' } }],
          channelPlan: [{ channel: 'channel:wecom-shop', trackLinks: false }],
        },
      },
    );
    const PREVIEW = `query($id: ID!, $channel: String) { campaign(id: $id) {
      wecomCapPreview(channel: $channel) { channel period limit customers atCap } } }`;
    const preview = await gqlOk<{ campaign: { wecomCapPreview: Record<string, unknown> } }>(
      t.url,
      t.a.keys.viewer,
      PREVIEW,
      { id: next.id, channel: 'channel:wecom-shop' },
    );
    expect(preview.campaign.wecomCapPreview).toMatchObject({
      channel: 'channel:wecom-shop',
      customers: 3,
      atCap: 1,
    });
    // The same figures in the one preview of platform caps, beside any Official Account's.
    const caps = await gqlOk<{ campaign: { platformCaps: Record<string, unknown>[] } }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { platformCaps { channel scope period limit recipients atCap used blocked note } } }`,
      { id: next.id },
    );
    expect(caps.campaign.platformCaps).toEqual([
      {
        channel: 'channel:wecom-shop',
        scope: 'PER_RECIPIENT',
        period: expect.stringMatching(/^\d{4}-\d{2}$/),
        limit: (preview.campaign.wecomCapPreview as { limit: number }).limit,
        recipients: 3,
        atCap: 1,
        used: 0,
        blocked: false,
        note: expect.stringContaining('1 of 3 customers'),
      },
    ]);
    const notWecom = await gql(t.url, t.a.keys.viewer, PREVIEW, { id: next.id, channel: 'channel:sms' });
    expect(codesOf(notWecom)).toEqual(['CHANNEL_NOT_FOUND']);
  }, 60_000);

  it('the cap preview counts, in SQL, what a task its sender sent only partly delivered', async () => {
    const relations = stateRelations(scopePluginState(t.app.deps.pluginState, 'channel:wecom-daily'));
    const daily = (i: number) => `wmDaily${i}`;
    for (const i of [0, 1]) {
      fake.corp.customers.addCustomer(daily(i), 'sunqi', new Date('2024-01-01T00:00:00Z'));
      await relations.upsert(daily(i), {
        userid: 'sunqi',
        addedAt: Date.parse('2024-01-01T00:00:00Z') / 1000,
      });
    }
    const tagId = await tag('每日客户');
    await createContacts(
      [0, 1].map((i) => ({
        name: `d${i}`,
        identities: [{ kind: 'WECOM_EXTERNAL_USERID', value: daily(i) }],
        tagIds: [tagId],
      })),
    );
    const input = {
      name: '每日群发',
      audience: { tag: tagId },
      variants: [{ key: 'A', content: { text: '今日特价' } }],
      channelPlan: [{ channel: 'channel:wecom-daily', trackLinks: false }],
    };
    const id = await run(input);
    await waitFor('sunqi’s task', () => fake.corp.customers.tasksOf('sunqi').length === 1);
    // sunqi confirmed; WeCom has reached wmDaily0, not (yet) wmDaily1: the task stays open.
    const [task] = fake.corp.customers.tasksOf('sunqi');
    task!.status = 2;
    task!.results.set(daily(0), { status: 1, sendTime: new Date() });
    await waitFor('wmDaily0 delivered', async () => (await t.app.deps.store.counters(id)).delivered === 1);
    expect((await t.app.deps.store.counters(id)).awaitingConfirmation).toBe(1);
    const { createCampaign: next } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      { input: { ...input, name: '每日群发二' } },
    );
    const preview = await gqlOk<{ campaign: { wecomCapPreview: Record<string, unknown> } }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { wecomCapPreview(channel: "channel:wecom-daily") {
        limit customers atCap } } }`,
      { id: next.id },
    );
    // wmDaily0 had today's one message; wmDaily1 has not been sent to.
    expect(preview.campaign.wecomCapPreview).toEqual({ limit: 1, customers: 2, atCap: 1 });
    const caps = await gqlOk<{ campaign: { platformCaps: Record<string, unknown>[] } }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { platformCaps { channel period limit recipients atCap } } }`,
      { id: next.id },
    );
    expect(caps.campaign.platformCaps).toEqual([
      {
        channel: 'channel:wecom-daily',
        period: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        limit: 1,
        recipients: 2,
        atCap: 1,
      },
    ]);
  }, 60_000);

  it('a group campaign over two owners: synced groups, one task per owner, a group over the cap, the deadline, the reach', async () => {
    const group = (chatId: string, owner: string, members: number) =>
      fake.corp.groups.set(chatId, {
        chatId,
        name: `福利群${chatId}`,
        owner,
        createTime: new Date(),
        members: Array.from({ length: members }, (_, m) => ({
          userid: `wm${chatId}${m}`,
          type: 2 as const,
          joinTime: new Date(),
        })),
      });
    group('wrGroupA1', 'zhouba', 40);
    group('wrGroupA2', 'zhouba', 25);
    group('wrGroupB1', 'wujiu', 9);
    // wrGroupA2 had as many mass messages this month as the month has days.
    fake.corp.customers.setReceivedThisMonth('wrGroupA2', 31);
    const { startChannelSync } = await gqlOk<{ startChannelSync: { id: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation { startChannelSync(channel: "channel:wecom") { id } }',
    );
    await waitFor('the sync', async () => {
      const { channelSync } = await gqlOk<{ channelSync: { state: string } }>(
        t.url,
        t.a.keys.admin,
        'query($id: ID!) { channelSync(id: $id) { state } }',
        { id: startChannelSync.id },
      );
      return channelSync.state === 'completed';
    });
    const sendsBefore = fake.requests.length;
    const id = await run({
      name: '福利群群发',
      audience: { groups: { nameContains: '福利群wrGroup' } },
      variants: [{ key: 'A', content: { text: '今晚 8 点群内抽奖' } }],
      channelPlan: [{ channel: 'channel:wecom', trackLinks: false }],
    });
    await waitFor(
      'two group tasks',
      () =>
        fake.corp.customers.tasksOf('zhouba').length === 1 &&
        fake.corp.customers.tasksOf('wujiu').length === 1,
    );
    const adds = fake.requests
      .slice(sendsBefore)
      .filter((r) => r.path === '/cgi-bin/externalcontact/add_msg_template')
      .map((r) => r.body);
    expect(adds).toEqual([
      {
        chat_type: 'group',
        sender: 'wujiu',
        chat_id_list: ['wrGroupB1'],
        text: { content: '今晚 8 点群内抽奖' },
      },
      {
        chat_type: 'group',
        sender: 'zhouba',
        chat_id_list: ['wrGroupA1', 'wrGroupA2'],
        text: { content: '今晚 8 点群内抽奖' },
      },
    ]);
    // zhouba confirms; wujiu does not, and the channel's deadline (1.5 s) cancels the task.
    fake.corp.customers.confirm(fake.corp.customers.tasksOf('zhouba')[0]!.msgid);
    // Every group gets a result: delivered, filtered by the cap, or unconfirmed at the deadline.
    const settled = async () => {
      const n = await t.app.deps.store.counters(id);
      return n.delivered + n.filtered + n.failed === 3;
    };
    await waitFor('every group’s result', settled);
    await waitFor('the group campaign', completed(id));
    const c = await t.app.deps.store.counters(id);
    expect({ total: c.total, delivered: c.delivered, filtered: c.filtered, failed: c.failed }).toEqual({
      total: 3,
      delivered: 1,
      filtered: 1,
      failed: 1,
    });
    const { campaign } = await gqlOk<{
      campaign: {
        wecomTasks: { sender: string; toGroups: boolean; state: string; recipients: number }[];
        wecomGroupReach: { groups: number; members: number; unknownMembers: number };
      };
    }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { wecomTasks { sender toGroups state recipients }
        wecomGroupReach { groups members unknownMembers } } }`,
      { id },
    );
    expect(campaign.wecomTasks).toEqual([
      { sender: 'wujiu', toGroups: true, state: 'CANCELLED', recipients: 1 },
      { sender: 'zhouba', toGroups: true, state: 'CONFIRMED', recipients: 2 },
    ]);
    // Reached: wrGroupA1 and its 40 members; the capped group reached nobody.
    expect(campaign.wecomGroupReach).toEqual({ groups: 1, members: 40, unknownMembers: 0 });
    // Two members leave wrGroupA1 (change_external_chat): its 退群率 this month is 2 / 40 = 5 %, at
    // the alarm level but not past it (warn); a third leave puts it past (7.5 %): unhealthy.
    const leave = (version: string, count: number) =>
      post(
        fake.push({
          FromUserName: 'sys',
          CreateTime: Math.floor(Date.now() / 1000),
          MsgType: 'event',
          Event: 'change_external_chat',
          ChatId: 'wrGroupA1',
          ChangeType: 'update',
          UpdateDetail: 'del_member',
          MemChangeCnt: count,
          CurMemVer: version,
        }),
      );
    const health = async () =>
      (
        await gqlOk<{ customerGroups: { edges: { node: Record<string, unknown> }[] } }>(
          t.url,
          t.a.keys.viewer,
          `query { customerGroups(nameContains: "wrGroupA1") { edges { node { chatId owner memberCount
            health { members membersAtStart joins leaves quitRate healthy
              metrics { name status } reasons { metric value alarm } } } } } }`,
        )
      ).customerGroups.edges.map((e) => e.node);
    expect((await leave('v-leave-1', 2)).status).toBe(200);
    expect(await health()).toEqual([
      {
        chatId: 'wrGroupA1',
        owner: 'zhouba',
        memberCount: 38,
        health: {
          members: 38,
          membersAtStart: 40,
          joins: 0,
          leaves: 2,
          quitRate: 5,
          healthy: true,
          metrics: [
            { name: 'metric:group-members', status: 'NONE' },
            { name: 'metric:group-joins', status: 'NONE' },
            { name: 'metric:group-leaves', status: 'NONE' },
            { name: 'metric:group-quit-rate', status: 'WARN' },
          ],
          reasons: [],
        },
      },
    ]);
    expect((await leave('v-leave-2', 1)).status).toBe(200);
    expect((await health())[0]!.health).toMatchObject({
      leaves: 3,
      quitRate: 7.5,
      healthy: false,
      reasons: [{ metric: 'metric:group-quit-rate', value: 7.5, alarm: 5 }],
    });
    // The group is not a contact: the contact list does not find it by its chat id.
    const { contacts } = await gqlOk<{ contacts: { edges: unknown[] } }>(
      t.url,
      t.a.keys.viewer,
      'query { contacts(search: "wrGroupA1") { edges { node { id } } } }',
    );
    expect(contacts.edges).toEqual([]);
  }, 120_000);
});
