import { wecom } from '@qunfa/channels';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import type { CallbackRequest } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-tests';
const CONTACT_SECRET = 'wecom-contact-secret-for-tests';
const CALLBACK = { token: 'cbToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const START = `mutation($channel: String!) { startChannelSync(channel: $channel) { id } }`;
const GET = `query($id: ID!) { channelSync(id: $id) { state errorCode counts { removed records } } }`;

interface Reach {
  ws: number;
  who: string;
  account: string;
  removed_by: string | null;
}

/**
 * A WeCom sync into one workspace that ends what it no longer sees at WeCom: a failed run ends
 * nothing, the run that completes the series ends that workspace's relations and group ownerships it
 * did not see — never another workspace's, never a contact or its history.
 */
describe.each(drivers)('a WeCom sync ends what WeCom no longer lists, on %s', (driver) => {
  let t: TestApp;
  let fake: FakeWecom;

  const post = (push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/wecom?${new URLSearchParams(push.query)}`, {
      method: push.method,
      body: push.body || undefined,
    });
  const sync = async () => {
    const { startChannelSync } = await gqlOk<{ startChannelSync: { id: string } }>(
      t.url,
      t.a.keys.admin,
      START,
      { channel: 'channel:wecom' },
    );
    for (let i = 0; ; i++) {
      const { channelSync } = await gqlOk<{
        channelSync: {
          state: string;
          errorCode: string | null;
          counts: { removed: number; records: number };
        };
      }>(t.url, t.a.keys.admin, GET, { id: startChannelSync.id });
      if (channelSync.state !== 'running') return channelSync;
      if (i > 2000) throw new Error('the sync did not end');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const reach = () =>
    rows<Reach>(
      t.app.deps.db,
      sql`SELECT r.workspace_id::int AS ws, ci.value AS who, r.account, r.removed_by FROM contact_reach r
          JOIN contact_identities ci ON ci.contact_id = r.contact_id AND ci.kind IN ('wecom_external_userid', 'wecom_chat_id')
          WHERE ci.value IN ('wmB', 'wrG2', 'wmLate') ORDER BY r.workspace_id, ci.value, r.account`,
    );

  beforeAll(async () => {
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
    });
    const c = fake.corp.customers;
    c.addCustomer('wmA', 'zhangsan', new Date('2024-01-01T00:00:00Z'));
    c.addCustomer('wmB', 'lisi', new Date('2024-01-01T00:00:00Z'));
    c.addCustomer('wmB', 'zhangsan', new Date('2024-02-01T00:00:00Z'));
    for (let i = 0; i < 150; i++) c.addCustomer(`wmW${i}`, 'wangwu', new Date('2024-01-01T00:00:00Z'));
    for (const [chatId, owner] of [
      ['wrG1', 'zhangsan'],
      ['wrG2', 'lisi'],
    ] as const) {
      fake.corp.groups.set(chatId, {
        chatId,
        name: chatId,
        owner,
        createTime: new Date('2024-01-01T00:00:00Z'),
        members: [{ userid: 'wmA', type: 2 as const, joinTime: new Date('2024-01-01T00:00:00Z') }],
      });
    }
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
      baseUrl: fake.url,
    });
    t = await startTestApp(driver, {}, [channel, ...builtinMetrics()]);
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('a failed run ends nothing; the completing run ends only its workspace’s unseen relations and group owners', async () => {
    const first = await sync();
    expect(first).toMatchObject({ state: 'completed', counts: { removed: 0, records: 153 } });
    // Workspace B holds wmB too (its own import), and a callback said lisi has them.
    await gqlOk(
      t.url,
      t.b.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input: [{ name: 'B 的客户', identities: [{ kind: 'WECOM_EXTERNAL_USERID', value: 'wmB' }] }] },
    );
    const push = (ChangeType: string, UserID: string, ExternalUserID: string) =>
      post(
        fake.push({
          FromUserName: 'sys',
          CreateTime: Math.floor(Date.now() / 1000),
          MsgType: 'event',
          Event: 'change_external_contact',
          ChangeType,
          UserID,
          ExternalUserID,
        }),
      );
    expect((await push('add_external_contact', 'lisi', 'wmB')).status).toBe(200);
    const before = await reach();
    expect(before).toEqual([
      { ws: t.a.id, who: 'wmB', account: 'lisi', removed_by: null },
      { ws: t.a.id, who: 'wmB', account: 'zhangsan', removed_by: null },
      { ws: t.a.id, who: 'wrG2', account: 'lisi', removed_by: null },
      { ws: t.b.id, who: 'wmB', account: 'lisi', removed_by: null },
    ]);
    const contacts = async () =>
      (await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM contacts`))[0]!.n;
    const contactsBefore = await contacts();

    // At WeCom, wmB deleted lisi and wrG2 was dismissed; no callback came for either.
    fake.corp.customers.follows.get('wmB')!.delete('lisi');
    fake.corp.groups.delete('wrG2');
    // The next run fails on its second customer page (a frequency limit is not retried by the run).
    fake.failAfter('/cgi-bin/externalcontact/batch/get_by_user', 1, 45033, 'api freq out of limit');
    const failed = await sync();
    expect(failed).toMatchObject({ state: 'failed', errorCode: 'RATE_LIMITED', counts: { removed: 0 } });
    expect(await reach()).toEqual(before);

    // Meanwhile zhaoliu adds wmLate (callback): the series began before, but it saw it live.
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input: [{ name: 'late', identities: [{ kind: 'WECOM_EXTERNAL_USERID', value: 'wmLate' }] }] },
    );
    fake.corp.customers.addCustomer('wmLate', 'zhaoliu');
    expect((await push('add_external_contact', 'zhaoliu', 'wmLate')).status).toBe(200);
    // zhaoliu is a follow user the failed run's list does not hold: the resumed run does not read
    // them, and must not end what the callback said.
    const done = await sync();
    expect(done).toMatchObject({ state: 'completed', counts: { removed: 2 } });
    expect(await reach()).toEqual([
      { ws: t.a.id, who: 'wmB', account: 'lisi', removed_by: 'sync' },
      { ws: t.a.id, who: 'wmB', account: 'zhangsan', removed_by: null },
      { ws: t.a.id, who: 'wmLate', account: 'zhaoliu', removed_by: null },
      { ws: t.a.id, who: 'wrG2', account: 'lisi', removed_by: 'sync' },
      // Workspace B's own row is B's: A's sync says nothing of it.
      { ws: t.b.id, who: 'wmB', account: 'lisi', removed_by: null },
    ]);
    // Nothing deleted: the group contact and every customer stay, with their identities.
    expect(await contacts()).toBe(contactsBefore + 1);
    // Running it again ends nothing more and changes nothing.
    const again = await sync();
    expect(again).toMatchObject({ state: 'completed', counts: { removed: 0 } });
  }, 180_000);
});
