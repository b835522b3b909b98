import { wechatOa } from '@qunfa/channels';
import { type FakeWechat, startFakeWechat } from '@qunfa/channels/wechat-oa/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APP_ID = 'wx0123456789abcdef';
const SECRET = 'oa-secret-for-tests';
const follower = (i: number) => `oTagJob${String(i).padStart(21, '0')}`;
const MEMBERS = 5;

const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { state counters { sent failed suppressed }
  channelPlan { platformJobTarget }
  deliveries { edges { node { state lastError attempts { note } } } } } }`;
interface CampaignView {
  state: string;
  counters: { sent: number; failed: number; suppressed: number };
  channelPlan: { platformJobTarget: string | null }[];
  deliveries: {
    edges: { node: { state: string; lastError: string | null; attempts: { note: string | null }[] } }[];
  };
}

/**
 * A subscription account mass-sends only to a tag: a campaign whose audience is exactly a synced
 * OA tag goes out as one message/mass/sendall, every recipient "sent by job"; an audience that is
 * not exactly such a tag is refused, and a follower unsubscribed in Qunfa refuses the job — on
 * PGlite and PostgreSQL.
 */
describe.each(drivers)('an OA tag sent as one job on %s', (driver) => {
  let t: TestApp;
  let oa: FakeWechat;
  const ws = () => t.a.id;

  const tagId = async (name: string) =>
    (
      await rows<{ id: string }>(
        t.app.deps.db,
        sql`SELECT id::text FROM tags WHERE workspace_id = ${ws()} AND name = ${name}`,
      )
    )[0]!.id;
  const create = (name: string, audience: unknown) =>
    gql<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name,
          audience,
          variants: [{ key: 'A', content: { text: '今日推荐' } }],
          channelPlan: [{ channel: 'channel:wechat-oa', sendToTag: true, trackLinks: false }],
        },
      },
    );
  const run = async (id: string) => {
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    for (let i = 0; (await t.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
      if (i > 600) throw new Error('the campaign did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }
    return (await gqlOk<{ campaign: CampaignView }>(t.url, t.a.keys.viewer, CAMPAIGN, { id })).campaign;
  };

  beforeAll(async () => {
    oa = await startFakeWechat({ appId: APP_ID, appSecret: SECRET, accountType: 'subscription' });
    oa.account.tags.set(100, '星标');
    for (let i = 0; i < MEMBERS; i++) oa.account.addFollower(follower(i), { tagIds: [100] });
    oa.account.addFollower(follower(99));
    const channel = wechatOa({
      appId: APP_ID,
      appSecret: SECRET,
      accountType: 'subscription',
      baseUrl: oa.url,
    });
    t = await startTestApp(driver, {}, [channel, ...builtinMetrics()]);
    const { startChannelSync } = await gqlOk<{ startChannelSync: { id: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation { startChannelSync(channel: "channel:wechat-oa") { id } }',
    );
    for (let i = 0; ; i++) {
      const { channelSync } = await gqlOk<{ channelSync: { state: string } }>(
        t.url,
        t.a.keys.admin,
        'query($id: ID!) { channelSync(id: $id) { state } }',
        { id: startChannelSync.id },
      );
      if (channelSync.state === 'completed') break;
      if (i > 1200 || channelSync.state !== 'running') throw new Error(`the sync ended ${channelSync.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Starting the app (PGlite migrations) takes over a minute when the machine is loaded.
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await oa?.close();
  });

  it('sends the tag as one mass/sendall, every follower sent by job', async () => {
    const created = await create('星标日报', { tag: await tagId('星标') });
    expect(created.errors).toBeUndefined();
    const campaign = await run(created.data!.createCampaign.id);
    expect(campaign.channelPlan).toEqual([{ platformJobTarget: '100' }]);
    const sends = oa.requests.filter((r) => r.path.startsWith('/cgi-bin/message/mass/'));
    expect(sends.map((r) => [r.path, r.body.filter])).toEqual([
      ['/cgi-bin/message/mass/sendall', { is_to_all: false, tag_id: 100 }],
    ]);
    expect(campaign.counters).toEqual({ sent: MEMBERS, failed: 0, suppressed: 0 });
    const notes = campaign.deliveries.edges.map((e) => e.node.attempts[0]?.note);
    expect(new Set(notes)).toEqual(
      new Set([
        expect.stringMatching(/^sent by job \d+: the platform reports the job's totals, not each person$/),
      ]),
    );
    expect(notes).toHaveLength(MEMBERS);
  });

  it('refuses a step to send an audience that is not exactly a synced tag of the account', async () => {
    const mine = await gqlOk<{ createTag: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation { createTag(input: { name: "运营自建" }) { id } }',
    );
    for (const audience of [
      { tag: mine.createTag.id },
      { and: [{ tag: await tagId('星标') }, { device: 'ios' }] },
    ]) {
      const refused = await create('不是标签', audience);
      expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
      expect(refused.errors?.[0]?.message).toMatch(/exactly one tag synced from channel:wechat-oa/);
    }
  });

  it('refuses the job when a follower of the tag is unsubscribed in Qunfa: WeChat would reach them', async () => {
    const [one] = await rows<{ id: string }>(
      t.app.deps.db,
      sql`SELECT contact_id::text AS id FROM contact_identities WHERE workspace_id = ${ws()} AND kind = 'oa_openid' AND value = ${follower(0)}`,
    );
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($ids: [ID!]!) { suppressContacts(contactIds: $ids, reason: UNSUBSCRIBED) }',
      {
        ids: [one!.id],
      },
    );
    const before = oa.requests.length;
    const created = await create('星标日报 二', { tag: await tagId('星标') });
    const campaign = await run(created.data!.createCampaign.id);
    expect(oa.requests.slice(before).filter((r) => r.path.includes('/message/'))).toEqual([]);
    expect(campaign.counters).toEqual({ sent: 0, failed: MEMBERS - 1, suppressed: 1 });
    const failed = campaign.deliveries.edges.find((e) => e.node.state.toLowerCase() === 'failed')!.node;
    expect(failed.lastError).toMatch(/1 of the audience would be left out/);
  });
});
