import { wechatOa } from '@qunfa/channels';
import { type FakeWechat, startFakeWechat } from '@qunfa/channels/wechat-oa/fake-server';
import type { CallbackRequest } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APP_ID = 'wx0123456789abcdef';
const SECRET = 'oa-secret-for-tests';
const PUSH_TOKEN = 'pushToken123';
const follower = (i: number) => `oReach${String(i).padStart(22, '0')}`;
const FOLLOWERS = 40;

const SYNC = `id state counts { records created matched relations removed }`;
interface Sync {
  id: string;
  state: string;
  counts: { records: number; created: number; matched: number; relations: number; removed: number };
}

/**
 * An Official Account's followers kept current: a re-sync ends the relation of a follower who
 * unfollowed and takes off tags WeChat no longer gives, `unsubscribe` / `subscribe` pushes end and
 * renew relations (a forged one changes nothing), and a campaign is not planned on the account for
 * someone who unfollowed — on PGlite and PostgreSQL.
 */
describe.each(drivers)('OA followers who unfollow are not reachable on %s', (driver) => {
  let t: TestApp;
  let oa: FakeWechat;
  const ws = () => t.a.id;

  const sync = async (): Promise<Sync> => {
    const { startChannelSync } = await gqlOk<{ startChannelSync: Sync }>(
      t.url,
      t.a.keys.admin,
      `mutation { startChannelSync(channel: "channel:wechat-oa") { ${SYNC} } }`,
    );
    for (let i = 0; ; i++) {
      const { channelSync } = await gqlOk<{ channelSync: Sync }>(
        t.url,
        t.a.keys.admin,
        `query($id: ID!) { channelSync(id: $id) { ${SYNC} } }`,
        { id: startChannelSync.id },
      );
      if (channelSync.state !== 'running') return channelSync;
      if (i > 1200) throw new Error('the sync did not end');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const post = (push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/wechat-oa?${new URLSearchParams(push.query)}`, {
      method: 'POST',
      body: push.body,
    });
  /** openid → removed_by of its relation through the account (undefined: none). */
  const reach = async () =>
    new Map(
      (
        await rows<{ value: string; removed_by: string | null }>(
          t.app.deps.db,
          sql`SELECT ci.value, cr.removed_by FROM contact_reach cr
              JOIN contact_identities ci ON ci.contact_id = cr.contact_id AND ci.kind = 'oa_openid'
              WHERE cr.workspace_id = ${ws()} AND cr.channel = 'channel:wechat-oa' AND cr.account = ${APP_ID}`,
        )
      ).map((r) => [r.value, r.removed_by]),
    );
  /** A campaign to 星标 on the account (not started). */
  const campaign = async (name: string, text: string) => {
    const [tag] = await rows<{ id: string }>(
      t.app.deps.db,
      sql`SELECT id::text FROM tags WHERE workspace_id = ${ws()} AND name = '星标'`,
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name,
          audience: { tag: tag!.id },
          variants: [{ key: 'A', content: { text } }],
          channelPlan: [{ channel: 'channel:wechat-oa', trackLinks: false }],
        },
      },
    );
    return createCampaign.id;
  };
  const run = async (id: string) => {
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    for (let i = 0; (await t.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
      if (i > 600) throw new Error('the campaign did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const tagsOf = async (openid: string) =>
    (
      await rows<{ name: string }>(
        t.app.deps.db,
        sql`SELECT t.name FROM contact_identities ci JOIN contacts c ON c.id = ci.contact_id
            JOIN tags t ON t.id = ANY(c.tag_ids)
            WHERE ci.workspace_id = ${ws()} AND ci.kind = 'oa_openid' AND ci.value = ${openid} ORDER BY t.name`,
      )
    ).map((r) => r.name);

  beforeAll(async () => {
    oa = await startFakeWechat({
      appId: APP_ID,
      appSecret: SECRET,
      accountType: 'service',
      callback: { token: PUSH_TOKEN },
    });
    oa.account.tags.set(100, '星标');
    oa.account.tags.set(101, '老客');
    for (let i = 0; i < FOLLOWERS; i++) oa.account.addFollower(follower(i), { tagIds: [100, 101] });
    const channel = wechatOa({
      appId: APP_ID,
      appSecret: SECRET,
      accountType: 'service',
      baseUrl: oa.url,
      callback: { token: PUSH_TOKEN },
    });
    t = await startTestApp(driver, {}, [channel, ...builtinMetrics()]);
    const first = await sync();
    expect(first).toMatchObject({
      state: 'completed',
      counts: { records: FOLLOWERS, created: FOLLOWERS, relations: FOLLOWERS, removed: 0 },
    });
    // Starting the app (PGlite migrations) takes over a minute when the machine is loaded.
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await oa?.close();
  });

  it('a sync makes every follower reachable through the account', async () => {
    const live = await reach();
    expect(live.size).toBe(FOLLOWERS);
    expect([...live.values()].every((removed) => removed === null)).toBe(true);
  });

  it('a re-sync ends the relation of one who unfollowed and takes off tags WeChat no longer gives', async () => {
    // At WeChat, without a push reaching us: follower 3 unfollowed, follower 4 lost 星标, 老客 was deleted.
    oa.account.followers.delete(follower(3));
    oa.account.followers.get(follower(4))!.tagIds = [101];
    oa.account.tags.delete(101);
    for (const f of oa.account.followers.values()) f.tagIds = f.tagIds.filter((id) => id !== 101);
    const run = await sync();
    expect(run).toMatchObject({ state: 'completed', counts: { records: FOLLOWERS - 1, removed: 1 } });
    const after = await reach();
    expect(after.get(follower(3))).toBe('sync');
    expect([...after.values()].filter((r) => r !== null)).toEqual(['sync']);
    expect(await tagsOf(follower(4))).toEqual([]);
    expect(await tagsOf(follower(5))).toEqual(['星标']);
    // Synced again with nothing changed: nothing more ends.
    expect((await sync()).counts.removed).toBe(0);
  }, 60_000);

  it('unsubscribe and subscribe pushes end and renew relations; a forged push writes nothing', async () => {
    const push = oa.unfollow(follower(5));
    const before = await rowCounts(t.app.deps.db);
    const forged = { ...push, query: { ...push.query, signature: '0'.repeat(40) } };
    expect((await post(forged)).status).toBe(401);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    expect((await reach()).get(follower(5))).toBeNull();

    expect((await post(push)).status).toBe(200);
    expect((await reach()).get(follower(5))).toBe('by_customer');
    // WeChat retries a push it got no answer to: the same push again changes nothing.
    expect((await post(push)).status).toBe(200);
    expect((await reach()).get(follower(5))).toBe('by_customer');

    expect((await post(oa.follow(follower(5), { tagIds: [100] }))).status).toBe(200);
    expect((await reach()).get(follower(5))).toBeNull();
    // Someone no workspace has yet follows: nothing is written until the next sync brings them.
    const people = async () => {
      const { contacts, contact_identities, contact_reach } = await rowCounts(t.app.deps.db);
      return { contacts, contact_identities, contact_reach };
    };
    const unknown = await people();
    expect((await post(oa.follow(follower(99)))).status).toBe(200);
    expect(await people()).toEqual(unknown);
  }, 30_000);

  it('a campaign to the account’s followers leaves out the one who unfollowed', async () => {
    const createCampaign = { id: await campaign('星标粉丝', '本周会员日') };
    await run(createCampaign.id);
    const sends = oa.requests.filter((r) => r.path === '/cgi-bin/message/mass/send');
    const touser = sends.flatMap((s) => s.body.touser as string[]);
    // 星标: every follower but 4 (tag taken off); 3 unfollowed (its tag stays, its relation ended).
    expect(touser).not.toContain(follower(3));
    expect(touser).not.toContain(follower(4));
    expect(touser).toContain(follower(5));
    expect(new Set(touser).size).toBe(touser.length);
    const states = await rows<{ value: string; state: string }>(
      t.app.deps.db,
      sql`SELECT ci.value, d.state FROM deliveries d
          JOIN contact_identities ci ON ci.contact_id = d.contact_id AND ci.kind = 'oa_openid'
          WHERE d.campaign_id = ${createCampaign.id}::bigint`,
    );
    const unfollowed = states.find((s) => s.value === follower(3));
    expect(unfollowed?.state).not.toBe('sent');
  }, 60_000);

  it('before a start, the preview counts the followers at WeChat’s 4 a month; WeChat filters them', async () => {
    const CAPS = `query($id: ID!) { campaign(id: $id) { platformCaps {
      channel scope period limit recipients atCap used blocked note } } }`;
    const next = await campaign('第二次', '第二次会员日');
    const before = await gqlOk<{ campaign: { platformCaps: Record<string, unknown>[] } }>(
      t.url,
      t.a.keys.viewer,
      CAPS,
      { id: next },
    );
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    // 星标 reaches 38: 4 lost the tag, 3 unfollowed (its tag stays, its relation ended).
    expect(before.campaign.platformCaps).toEqual([
      {
        channel: 'channel:wechat-oa',
        scope: 'PER_RECIPIENT',
        period: month,
        limit: 4,
        recipients: FOLLOWERS - 2,
        atCap: 0,
        used: 1,
        blocked: false,
        note: `0 of ${FOLLOWERS - 2} followers already got 4 mass messages in ${month}: WeChat filters them`,
      },
    ]);
    await run(next);
    await run(await campaign('第三次', '第三次会员日'));
    await run(await campaign('第四次', '第四次会员日'));
    const fifth = await campaign('第五次', '第五次会员日');
    const after = await gqlOk<{ campaign: { platformCaps: { atCap: number; used: number }[] } }>(
      t.url,
      t.a.keys.viewer,
      CAPS,
      { id: fifth },
    );
    expect(after.campaign.platformCaps[0]).toMatchObject({ atCap: FOLLOWERS - 2, used: 4 });
    // The fake WeChat agrees: each of them has had 4 this month, and would be filtered.
    const counts = [...oa.account.followers.values()]
      .filter((f) => f.tagIds.includes(100))
      .map((f) => f.massByMonth.get(oa.account.monthOf()) ?? 0);
    expect(counts.every((n) => n === 4)).toBe(true);
  }, 120_000);
});
