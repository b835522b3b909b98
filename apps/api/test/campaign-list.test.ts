import { sandbox } from '@qunfa/channels';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`;
const LIST = `query($filter: CampaignFilter, $first: Int, $after: String) {
  campaigns(filter: $filter, first: $first, after: $after) {
    edges { node { id name createdBy { keyId keyName memberId memberName } } }
    pageInfo { hasNextPage endCursor } } }`;
const CREATORS = 'query { campaignCreators { keyId keyName memberId memberName } }';

interface Listed {
  campaigns: {
    edges: {
      node: {
        id: string;
        name: string;
        createdBy: {
          keyId: string;
          keyName: string;
          memberId: string | null;
          memberName: string | null;
        } | null;
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe.each(drivers)('filtering the campaign list in SQL (%s)', (driver) => {
  let t: TestApp;
  /** name → id */
  const ids: Record<string, string> = {};
  let memberKey: string;
  let memberId: string;
  let memberKeyId: string;

  const create = async (key: string, name: string, channels: string[], failover: string[] = []) => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      input: {
        name,
        audience: { all: true },
        variants: [{ key: 'A', content: { text: 'hi' } }],
        channelPlan: channels.map((channel, i) => ({ channel, ...(i === 0 ? { failover } : {}) })),
      },
    });
    ids[name] = createCampaign.id;
  };
  const names = async (filter: Record<string, unknown>, key = t.a.keys.viewer) =>
    (await gqlOk<Listed>(t.url, key, LIST, { filter, first: 200 })).campaigns.edges.map((e) => e.node.name);

  beforeAll(async () => {
    t = await startTestApp(driver, { quietHours: 'off' }, [
      sandbox({ latencyMs: { min: 1, max: 2 }, seed: 1 }),
      sandbox({ name: 'channel:sandbox-sms', latencyMs: { min: 1, max: 2 }, seed: 2 }),
      sandbox({ name: 'channel:sandbox-sms-backup', latencyMs: { min: 1, max: 2 }, seed: 3 }),
    ]);
    const admin = t.a.keys.admin;
    memberId = (
      await gqlOk<{ inviteMember: { id: string } }>(
        t.url,
        admin,
        'mutation { inviteMember(input: { name: "小王", role: OPERATOR }) { id } }',
      )
    ).inviteMember.id;
    const issued = await gqlOk<{ issueApiKey: { secret: string; apiKey: { id: string } } }>(
      t.url,
      admin,
      'mutation($m: ID!) { issueApiKey(input: { name: "小王的密钥", memberId: $m }) { secret apiKey { id } } }',
      { m: memberId },
    );
    memberKey = issued.issueApiKey.secret;
    memberKeyId = issued.issueApiKey.apiKey.id;

    await create(t.a.keys.operator, '双十一预告', ['channel:sandbox']);
    await create(t.a.keys.operator, '会员日 100%_off', ['channel:sandbox-sms']);
    await create(memberKey, '小王的短信', ['channel:sandbox', 'channel:sandbox-sms']);
    await create(memberKey, '小王的备用', ['channel:sandbox-sms'], ['channel:sandbox-sms-backup']);
    await create(t.b.keys.operator, '别的工作区 双十一', ['channel:sandbox']);
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', {
      id: ids['会员日 100%_off'],
    });
    // Made last month, as if it had waited that long.
    await t.app.deps.db.execute(
      sql`UPDATE campaigns SET created_at = '2026-11-03T04:00:00Z' WHERE id = ${Number(ids['双十一预告'])}`,
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists everything of the workspace, newest first, with who created each', async () => {
    const { campaigns } = await gqlOk<Listed>(t.url, t.a.keys.viewer, LIST, { first: 200 });
    expect(campaigns.edges.map((e) => e.node.name)).toEqual([
      '小王的备用',
      '小王的短信',
      '会员日 100%_off',
      '双十一预告',
    ]);
    const byName = Object.fromEntries(campaigns.edges.map((e) => [e.node.name, e.node.createdBy]));
    expect(byName['小王的短信']).toEqual({
      keyId: memberKeyId,
      keyName: '小王的密钥',
      memberId,
      memberName: '小王',
    });
    expect(byName['双十一预告']).toMatchObject({ keyName: 'operator key', memberId: null, memberName: null });
  });

  it('filters by state, channel (failover included), creation time, creator and name', async () => {
    expect(await names({ states: ['CANCELLED'] })).toEqual(['会员日 100%_off']);
    expect(await names({ states: ['DRAFT', 'CANCELLED'] })).toHaveLength(4);
    expect(await names({ channels: ['channel:sandbox'] })).toEqual(['小王的短信', '双十一预告']);
    expect(await names({ channels: ['channel:sandbox-sms-backup'] })).toEqual(['小王的备用']);
    expect(await names({ createdBefore: '2026-11-04T00:00:00Z' })).toEqual(['双十一预告']);
    expect(await names({ createdFrom: '2026-11-04T00:00:00Z' })).toHaveLength(3);
    expect(await names({ creatorMemberIds: [memberId] })).toEqual(['小王的备用', '小王的短信']);
    expect(await names({ creatorKeyIds: [memberKeyId] })).toEqual(['小王的备用', '小王的短信']);
    // `%` and `_` are letters of the search, not patterns; the other workspace's 双十一 stays out.
    expect(await names({ search: '100%_' })).toEqual(['会员日 100%_off']);
    expect(await names({ search: '日_1' })).toEqual([]);
    expect(await names({ search: '双十一' })).toEqual(['双十一预告']);
    expect(await names({ search: '小王', channels: ['channel:sandbox-sms'], states: ['DRAFT'] })).toEqual([
      '小王的备用',
      '小王的短信',
    ]);
  });

  it('pages through matches only', async () => {
    const filter = { states: ['DRAFT'] };
    const first = await gqlOk<Listed>(t.url, t.a.keys.viewer, LIST, { filter, first: 2 });
    expect(first.campaigns.edges.map((e) => e.node.name)).toEqual(['小王的备用', '小王的短信']);
    expect(first.campaigns.pageInfo.hasNextPage).toBe(true);
    const second = await gqlOk<Listed>(t.url, t.a.keys.viewer, LIST, {
      filter,
      first: 2,
      after: first.campaigns.pageInfo.endCursor,
    });
    expect(second.campaigns.edges.map((e) => e.node.name)).toEqual(['双十一预告']);
    expect(second.campaigns.pageInfo.hasNextPage).toBe(false);
  });

  it("offers the workspace's creators, and only them, to every role", async () => {
    const { campaignCreators } = await gqlOk<{ campaignCreators: { keyName: string }[] }>(
      t.url,
      t.a.keys.viewer,
      CREATORS,
    );
    expect(campaignCreators.map((c) => c.keyName)).toEqual(['operator key', '小王的密钥']);
  });

  it('refuses a bad filter with INVALID_INPUT naming the field', async () => {
    const backwards = await gql(t.url, t.a.keys.viewer, LIST, {
      filter: { createdFrom: '2026-12-02T00:00:00Z', createdBefore: '2026-12-01T00:00:00Z' },
    });
    expect(codesOf(backwards)).toEqual(['INVALID_INPUT']);
    expect(backwards.errors?.[0]?.extensions?.details?.field).toBe('createdBefore');
    const long = await gql(t.url, t.a.keys.viewer, LIST, { filter: { search: 'x'.repeat(201) } });
    expect(codesOf(long)).toEqual(['INVALID_INPUT']);
    const badId = await gql(t.url, t.a.keys.viewer, LIST, { filter: { creatorMemberIds: ['x'] } });
    expect(codesOf(badId)).toEqual(['INVALID_INPUT']);
  });
});
