import { wechatOa, wecom } from '@qunfa/channels';
import { type FakeWechat, startFakeWechat } from '@qunfa/channels/wechat-oa/fake-server';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-tests';
const CONTACT_SECRET = 'wecom-contact-secret-for-tests';
const OA_APP_ID = 'wx0123456789abcdef';
const OA_SECRET = 'oa-secret-for-tests';
const customer = (i: number) => `wmSync${String(i).padStart(5, '0')}`;
const follower = (i: number) => `oSync${String(i).padStart(23, '0')}`;
const staff = Array.from({ length: 12 }, (_, i) => `staff${String(i).padStart(2, '0')}`);

const SYNC = `fragment S on ChannelSync { id channel state stage errorCode errorMessage
  counts { pages records created matched tags relations groups conflicts } }`;
const START = `mutation($channel: String!, $restart: Boolean) { startChannelSync(channel: $channel, restart: $restart) { ...S } } ${SYNC}`;
const GET = `query($id: ID!) { channelSync(id: $id) { ...S } } ${SYNC}`;

interface Sync {
  id: string;
  state: string;
  stage: string;
  errorCode: string | null;
  errorMessage: string | null;
  counts: {
    pages: number;
    records: number;
    created: number;
    matched: number;
    tags: number;
    relations: number;
    groups: number;
    conflicts: number;
  };
}

/**
 * Syncs from WeCom (1,000 customers over 12 staff, corp tags, 50 groups) and from an Official
 * Account (300 followers, tags) into contacts, through the GraphQL API, on each database: a
 * failure midway resumes where it stopped, a re-run writes nothing, a unionid merges an OA
 * follower, a WeCom customer and a CSV contact into one, and refused credentials are a typed
 * error that writes nothing.
 */
describe.each(drivers)('channel sync into contacts on %s', (driver) => {
  let t: TestApp;
  let corp: FakeWecom;
  let oa: FakeWechat;

  const admin = () => t.a.keys.admin;
  const start = async (channel: string, restart?: boolean) =>
    (await gqlOk<{ startChannelSync: Sync }>(t.url, admin(), START, { channel, restart })).startChannelSync;
  const finished = async (id: string): Promise<Sync> => {
    for (let i = 0; ; i++) {
      const { channelSync } = await gqlOk<{ channelSync: Sync }>(t.url, admin(), GET, { id });
      if (channelSync.state !== 'running') return channelSync;
      if (i > 4000) throw new Error('the sync did not end');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const count = async (query: ReturnType<typeof sql>) =>
    Number((await rows<{ n: number }>(t.app.deps.db, query))[0]!.n);

  beforeAll(async () => {
    corp = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
    });
    const c = corp.corp.customers;
    c.tagGroups.push(
      {
        group_id: 'etGroupLevel',
        group_name: '等级',
        tag: [
          { id: 'etGold', name: '金卡' },
          { id: 'etSilver', name: '银卡' },
        ],
      },
      { group_id: 'etGroupSource', group_name: '来源', tag: [{ id: 'etShop', name: '门店' }] },
    );
    for (let i = 0; i < 1000; i++) {
      c.addCustomer(customer(i), staff[i % 12]!, new Date(1_700_000_000_000 + i * 1000), {
        name: `客户${i}`,
        ...(i % 3 === 0 ? { unionid: `uShared${i}` } : {}),
      });
      if (i % 10 === 0) c.addCustomer(customer(i), staff[(i + 1) % 12]!, new Date(1_710_000_000_000));
      if (i % 4 === 0)
        c.setFollowInfo(customer(i), staff[i % 12]!, { remark: `备注${i}`, tagIds: ['etGold'] });
    }
    c.setFollowInfo(customer(20), staff[9]!, { tagIds: ['etShop'] });
    for (let g = 0; g < 50; g++) {
      corp.corp.groups.set(`wrGroup${g}`, {
        chatId: `wrGroup${g}`,
        name: `会员群${g}`,
        owner: staff[g % 12]!,
        createTime: new Date(1_700_000_000_000),
        members: [{ userid: customer(g), type: 2 as const, joinTime: new Date(1_700_000_000_000) }],
      });
    }
    oa = await startFakeWechat({ appId: OA_APP_ID, appSecret: OA_SECRET, accountType: 'service' });
    oa.account.tags.set(100, '星标');
    oa.account.tags.set(101, '老客');
    // The first 100 followers are WeCom customers 0, 3, 6…: the same unionid.
    for (let i = 0; i < 300; i++) {
      oa.account.addFollower(follower(i), {
        tagIds: i % 2 === 0 ? [100] : [101],
        ...(i < 100 ? { unionid: `uShared${i * 3}` } : {}),
      });
    }
    const channels = [
      wecom({
        corpId: CORP_ID,
        apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
        contactSecret: CONTACT_SECRET,
        baseUrl: corp.url,
      }),
      wecom({
        name: 'channel:wecom-unconfigured',
        corpId: CORP_ID,
        apps: [{ agentId: AGENT_ID, secret: 'not-the-secret' }],
        baseUrl: corp.url,
      }),
      wechatOa({ appId: OA_APP_ID, appSecret: OA_SECRET, accountType: 'service', baseUrl: oa.url }),
    ];
    t = await startTestApp(driver, {}, [...channels, ...builtinMetrics()]);
    // A CSV-imported contact that carries the unionid of WeCom customer 3 (and of follower 1).
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [
          {
            name: '张三 (CSV)',
            identities: [
              { kind: 'UNIONID', value: 'uShared3' },
              { kind: 'PHONE', value: '13800138000' },
            ],
          },
        ],
      },
    );
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    await corp?.close();
    await oa?.close();
  });

  it('refuses credentials WeCom rejects with CHANNEL_CREDENTIALS_MISSING and writes nothing', async () => {
    const before = await rowCounts(t.app.deps.db);
    const res = await gql(t.url, admin(), START, { channel: 'channel:wecom-unconfigured' });
    expect(codesOf(res)).toEqual(['CHANNEL_CREDENTIALS_MISSING']);
    expect(JSON.stringify(res)).not.toContain('not-the-secret');
    const missing = await gql(t.url, admin(), START, { channel: 'channel:nope' });
    expect(codesOf(missing)).toEqual(['CHANNEL_NOT_FOUND']);
    const operator = await gql(t.url, t.a.keys.operator, START, { channel: 'channel:wecom' });
    expect(codesOf(operator)).toEqual(['FORBIDDEN']);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('syncs WeCom customers, resumed after a failure midway, with relations, corp tags and groups', async () => {
    // The 5th customer page fails with WeCom's frequency limit: the run stops there.
    corp.failAfter('/cgi-bin/externalcontact/batch/get_by_user', 4, 45033, 'api freq out of limit');
    const first = await start('channel:wecom');
    const failed = await finished(first.id);
    expect(failed).toMatchObject({ state: 'failed', errorCode: 'RATE_LIMITED', stage: 'customers' });
    expect(failed.errorMessage).toContain('45033');
    expect(failed.counts.pages).toBe(4);
    expect(failed.counts.tags).toBe(3);
    const pagesBefore = corp.requests.filter((r) => r.path.endsWith('/batch/get_by_user')).length;

    const second = await start('channel:wecom');
    const done = await finished(second.id);
    expect(done).toMatchObject({ state: 'completed', stage: 'done', errorCode: null });
    // Resumed at the failed page: 1,100 relations over 11 pages of 100, none stored twice.
    const pages = corp.requests.filter((r) => r.path.endsWith('/batch/get_by_user'));
    expect(pagesBefore).toBe(5);
    expect(pages.length - pagesBefore).toBe(11 - 4);
    expect(pages[pagesBefore]!.body.cursor).toBe(pages[pagesBefore - 1]!.body.cursor);
    expect(failed.counts.records + done.counts.records).toBe(1100);
    expect(done.counts.groups).toBe(50);
    expect(pages.every((p) => (p.body.userid_list as string[]).length <= 100 && p.body.limit === 100)).toBe(
      true,
    );

    const ws = t.a.id;
    expect(
      await count(sql`SELECT count(*)::int AS n FROM contact_identities
      WHERE workspace_id = ${ws} AND kind = 'wecom_external_userid'`),
    ).toBe(1000);
    // 1,100 customer relations, and each of the 50 groups reachable through its owner.
    expect(await count(sql`SELECT count(*)::int AS n FROM contact_reach WHERE workspace_id = ${ws}`)).toBe(
      1150,
    );
    const groups = await rows<{ name: string; kind: string; chat: string; owner: string; members: number }>(
      t.app.deps.db,
      sql`SELECT c.name, c.kind, ci.value AS chat, r.account AS owner, (c.attributes ->> 'memberCount')::int AS members
          FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id AND ci.kind = 'wecom_chat_id'
          JOIN contact_reach r ON r.contact_id = c.id
          WHERE c.workspace_id = ${ws} ORDER BY c.id`,
    );
    expect(groups).toHaveLength(50);
    expect(groups.find((g) => g.chat === 'wrGroup13')).toEqual({
      name: '会员群13',
      kind: 'group',
      chat: 'wrGroup13',
      owner: staff[1],
      members: 1,
    });
    // Customer 20 is reachable through two staff, the one who added them first listed first.
    const { contacts } = await gqlOk<{
      contacts: {
        edges: {
          node: {
            name: string;
            reachableThrough: { account: string; remark: string | null }[];
            tags: { name: string; source: string }[];
            identities: { kind: string }[];
          };
        }[];
      };
    }>(
      t.url,
      admin(),
      `query { contacts(first: 500) { edges { node { name identities { kind }
        reachableThrough { account remark } tags { name source } } } } }`,
    );
    const twenty = contacts.edges.find((e) => e.node.name === '客户20')!.node;
    expect(twenty.reachableThrough.map((r) => r.account)).toEqual([staff[8], staff[9]]);
    expect(twenty.reachableThrough.map((r) => r.remark)).toEqual(['备注20', null]);
    expect(twenty.tags.map((tag) => tag.name).sort()).toEqual(['来源/门店', '等级/金卡']);
    expect(twenty.tags.every((tag) => tag.source === 'channel:wecom')).toBe(true);
    // The CSV contact with unionid uShared3 got customer 3's external_userid, and kept its name.
    const csv = contacts.edges.find((e) => e.node.name === '张三 (CSV)')!.node;
    expect(csv.identities.map((i) => i.kind).sort()).toEqual(['PHONE', 'UNIONID', 'WECOM_EXTERNAL_USERID']);
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws} AND kind = 'person'`,
      ),
    ).toBe(1000);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws} AND kind = 'group'`),
    ).toBe(50);
  }, 300_000);

  it('synced groups stay out of ordinary audiences and are selected by {groups}', async () => {
    const preview = async (audience: unknown, excludeDormant = false) =>
      (
        await gqlOk<{ audiencePreview: { matched: number; sendable: number } }>(
          t.url,
          admin(),
          'query($a: JSON!, $d: Boolean) { audiencePreview(audience: $a, excludeDormant: $d) { matched sendable } }',
          { a: audience, d: excludeDormant },
        )
      ).audiencePreview;
    expect(await preview({ all: true })).toEqual({ matched: 1000, sendable: 1000 });
    expect(await preview({ not: { device: 'ios' } })).toMatchObject({ matched: 1000 });
    expect(await preview({ groups: {} })).toEqual({ matched: 50, sendable: 50 });
    // staff01 owns groups 1, 13, 25, 37 and 49; groups are never dormant.
    expect(await preview({ groups: { owners: [staff[1]] } }, true)).toEqual({ matched: 5, sendable: 5 });
    expect(await preview({ groups: { nameContains: '会员群4' } })).toMatchObject({ matched: 11 });
    // An audience that asks for groups selects groups only: `all` inside it is every group, never a person.
    expect(await preview({ or: [{ all: true }, { groups: {} }] })).toMatchObject({ matched: 50 });
    expect(await preview({ not: { groups: { owners: [staff[1]] } } })).toMatchObject({ matched: 45 });
    // A person cannot be given a group's chat id (it would be sent to as a group, and counted as a person).
    const refused = await gql(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input: [{ name: 'x', identities: [{ kind: 'WECOM_CHAT_ID', value: 'wrGroup1' }] }] },
    );
    expect(codesOf(refused)).toEqual(['INVALID_INPUT']);
  }, 120_000);

  it('a second WeCom sync writes nothing new', async () => {
    const before = await rowCounts(t.app.deps.db);
    const stamps = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM contacts WHERE updated_at > now() - interval '1 hour'`,
    );
    // WeCom stays busy (-1) past the client's own retries on one page: the run tries it again.
    corp.failAfter('/cgi-bin/externalcontact/batch/get_by_user', 2, -1, 'system busy');
    corp.failNext('/cgi-bin/externalcontact/batch/get_by_user', -1, 'system busy', 3);
    const run = await finished((await start('channel:wecom')).id);
    expect(run).toMatchObject({ state: 'completed', errorCode: null });
    expect(run.counts).toMatchObject({ records: 1100, created: 0, relations: 0, tags: 0, conflicts: 0 });
    const after = await rowCounts(t.app.deps.db);
    // Only the run itself (its row, its audit entry) is new.
    expect({ ...after, channel_syncs: 0, audit_log: 0 }).toEqual({
      ...before,
      channel_syncs: 0,
      audit_log: 0,
    });
    expect(after.channel_syncs).toBe(before.channel_syncs! + 1);
    expect(
      await rows<{ n: number }>(
        t.app.deps.db,
        sql`SELECT count(*)::int AS n FROM contacts WHERE updated_at > now() - interval '1 hour'`,
      ),
    ).toEqual(stamps);
  }, 300_000);

  it('syncs OA followers by unionid onto WeCom customers, resumed midway, progress over a subscription', async () => {
    oa.failAfter('/cgi-bin/user/info/batchget', 1, 45009, 'reach max api daily quota limit');
    const failed = await finished((await start('channel:wechat-oa')).id);
    expect(failed).toMatchObject({ state: 'failed', errorCode: 'RATE_LIMITED', stage: 'followers' });
    expect(failed.counts.records).toBe(100);

    const run = await start('channel:wechat-oa');
    const client = wsClient(t.url, admin());
    const progress = collect<{ channelSyncProgress: Sync }>(
      client,
      `subscription($id: ID!) { channelSyncProgress(id: $id) { ...S } } ${SYNC}`,
      { id: run.id },
    );
    await progress.done;
    await client.dispose();
    const last = progress.events.at(-1)!.channelSyncProgress;
    expect(last).toMatchObject({ state: 'completed', stage: 'done' });
    expect(failed.counts.records + last.counts.records).toBe(300);
    // Followers 0–99 joined the WeCom customers with their unionid; 100–299 are new contacts.
    expect(failed.counts.matched + last.counts.matched).toBe(100);
    expect(failed.counts.created + last.counts.created).toBe(200);
    const ws = t.a.id;
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws} AND kind = 'person'`,
      ),
    ).toBe(1200);
    const merged = await count(sql`SELECT count(DISTINCT o.contact_id)::int AS n FROM contact_identities o
      JOIN contact_identities w ON w.contact_id = o.contact_id AND w.kind = 'wecom_external_userid'
      WHERE o.workspace_id = ${ws} AND o.kind = 'oa_openid'`);
    expect(merged).toBe(100);
    // The OA tags are the account's, kept apart from the workspace's own.
    const tags = await rows<{ name: string; source: string; n: number }>(
      t.app.deps.db,
      sql`SELECT t.name, t.source, (SELECT count(*)::int FROM contacts c WHERE t.id = ANY(c.tag_ids)) AS n
          FROM tags t WHERE t.workspace_id = ${ws} AND t.source = 'channel:wechat-oa' ORDER BY t.name`,
    );
    expect(tags).toEqual([
      { name: '星标', source: 'channel:wechat-oa', n: 150 },
      { name: '老客', source: 'channel:wechat-oa', n: 150 },
    ]);
    // Nothing went to the other workspace.
    expect(await count(sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${t.b.id}`)).toBe(0);
  }, 300_000);

  it('a group that changed owner and name at WeCom: the next sync ends the former owner and renames it', async () => {
    const g13 = corp.corp.groups.get('wrGroup13')!;
    g13.owner = staff[5]!;
    g13.name = '会员群13 (新)';
    const run = await finished((await start('channel:wecom')).id);
    expect(run).toMatchObject({ state: 'completed', errorCode: null });
    const ws = t.a.id;
    const reach = await rows<{ account: string; removed_by: string | null; name: string }>(
      t.app.deps.db,
      sql`SELECT r.account, r.removed_by, c.name FROM contact_reach r JOIN contacts c ON c.id = r.contact_id
          JOIN contact_identities ci ON ci.contact_id = c.id AND ci.kind = 'wecom_chat_id' AND ci.value = 'wrGroup13'
          WHERE c.workspace_id = ${ws} ORDER BY r.account`,
    );
    expect(reach).toEqual([
      { account: staff[1], removed_by: 'sync', name: '会员群13 (新)' },
      { account: staff[5], removed_by: null, name: '会员群13 (新)' },
    ]);
    const preview = async (audience: unknown) =>
      (
        await gqlOk<{ audiencePreview: { matched: number } }>(
          t.url,
          admin(),
          'query($a: JSON!) { audiencePreview(audience: $a) { matched } }',
          { a: audience },
        )
      ).audiencePreview.matched;
    // staff01 kept groups 1, 25, 37 and 49; staff05 has 5, 17, 29, 41 and now 13.
    expect(await preview({ groups: { owners: [staff[1]] } })).toBe(4);
    expect(await preview({ groups: { owners: [staff[5]] } })).toBe(5);
    expect(await preview({ groups: { nameContains: '(新)' } })).toBe(1);
  }, 300_000);
});
