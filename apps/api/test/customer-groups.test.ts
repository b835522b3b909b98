import { wecom } from '@qunfa/channels';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import type { CallbackRequest } from '@qunfa/core';
import { builtinGroupMetrics, builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { createSqlRecipientFacts } from '../src/store/recipient-facts-sql.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-tests';
const CONTACT_SECRET = 'wecom-contact-secret-for-tests';
const CALLBACK = { token: 'cbToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

interface GroupNode {
  id: string;
  chatId: string;
  name: string;
  owner: string | null;
  memberCount: number | null;
  tags: { name: string }[];
  lastSyncedAt: string | null;
  health: { quitRate: number | null; healthy: boolean | null; reasons: { metric: string; alarm: number }[] };
}
const NODE = `id chatId name owner memberCount tags { name } lastSyncedAt
  health { quitRate healthy reasons { metric alarm } }`;

/**
 * Customer groups are targets of their own, never contacts: their own list (owner, tag, name,
 * health), their own tagging, and every person surface — the contact list, a contact, edits,
 * tags, suppressions, erasure, merges, imports, audiences, the frequency cap — refuses or skips them.
 */
describe.each(drivers)('customer groups on %s', (driver) => {
  let t: TestApp;
  let fake: FakeWecom;
  const q = <T>(query: string, variables?: Record<string, unknown>, key = t.a.keys.operator) =>
    gqlOk<T>(t.url, key, query, variables);
  const list = async (args: string) =>
    (
      await q<{ customerGroups: { edges: { node: GroupNode }[] } }>(
        `{ customerGroups(${args}) { edges { node { ${NODE} } } } }`,
      )
    ).customerGroups.edges.map((e) => e.node);
  const post = (push: CallbackRequest) =>
    fetch(`${t.url}/callbacks/wecom?${new URLSearchParams(push.query)}`, {
      method: push.method,
      body: push.body || undefined,
    });
  const leave = (chatId: string, count: number, version: string) =>
    post(
      fake.push({
        FromUserName: 'sys',
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'change_external_chat',
        ChatId: chatId,
        ChangeType: 'update',
        UpdateDetail: 'del_member',
        MemChangeCnt: count,
        CurMemVer: version,
      }),
    );
  let groupId: Record<string, string> = {};
  let personId = '';
  let tagId = '';

  beforeAll(async () => {
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
    });
    for (const m of ['zhouba', 'wujiu']) fake.corp.addMember(m);
    fake.corp.customers.addCustomer('wmCustomerA', 'zhouba');
    const group = (chatId: string, name: string, owner: string, members: number) =>
      fake.corp.groups.set(chatId, {
        chatId,
        name,
        owner,
        createTime: new Date(),
        members: Array.from({ length: members }, (_, m) => ({
          userid: `wm${chatId}${m}`,
          type: 2 as const,
          joinTime: new Date(),
        })),
      });
    group('wrVip1', '会员群一', 'zhouba', 40);
    group('wrVip2', '会员群二', 'wujiu', 20);
    group('wrPromo', '福利群', 'zhouba', 100);
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
      baseUrl: fake.url,
    });
    t = await startTestApp(driver, {}, [channel, ...builtinMetrics(), ...builtinGroupMetrics()]);
    const { startChannelSync } = await q<{ startChannelSync: { id: string } }>(
      'mutation { startChannelSync(channel: "channel:wecom") { id } }',
      {},
      t.a.keys.admin,
    );
    for (let i = 0; ; i++) {
      const { channelSync } = await q<{ channelSync: { state: string } }>(
        'query($id: ID!) { channelSync(id: $id) { state } }',
        { id: startChannelSync.id },
      );
      if (channelSync.state === 'completed') break;
      if (i > 600) throw new Error('the sync did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }
    const found = await rows<{ id: string | number; kind: string; chat: string | null }>(
      t.app.deps.db,
      sql`SELECT c.id, c.kind, i.value AS chat FROM contacts c
          LEFT JOIN contact_identities i ON i.contact_id = c.id AND i.kind = 'wecom_chat_id'`,
    );
    groupId = Object.fromEntries(found.filter((f) => f.kind === 'group').map((f) => [f.chat!, String(f.id)]));
    personId = String(found.find((f) => f.kind === 'person')!.id);
    tagId = (
      await q<{ createTag: { id: string } }>('mutation { createTag(input: { name: "高价值" }) { id } }')
    ).createTag.id;
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('are listed on their own, with owner, members and when they were synced; persons never', async () => {
    const all = await list('first: 10');
    expect(all.map((g) => [g.chatId, g.name, g.owner, g.memberCount])).toEqual([
      // By id: the sync met them in WeCom's order (groupchat/list, by chat id here).
      ['wrPromo', '福利群', 'zhouba', 100],
      ['wrVip1', '会员群一', 'zhouba', 40],
      ['wrVip2', '会员群二', 'wujiu', 20],
    ]);
    expect(all.every((g) => g.lastSyncedAt !== null)).toBe(true);
    expect((await list('owners: ["zhouba"]')).map((g) => g.chatId)).toEqual(['wrPromo', 'wrVip1']);
    expect((await list('nameContains: "会员"')).map((g) => g.chatId)).toEqual(['wrVip1', 'wrVip2']);
    // Paged by id.
    const first = await q<{
      customerGroups: { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean } };
    }>('{ customerGroups(first: 2) { edges { cursor } pageInfo { hasNextPage } } }');
    expect(first.customerGroups.pageInfo.hasNextPage).toBe(true);
    expect(
      (await list(`first: 2, after: "${first.customerGroups.edges[1]!.cursor}"`)).map((g) => g.chatId),
    ).toEqual(['wrVip2']);
    // A person's id is no group.
    const res = await gql(t.url, t.a.keys.viewer, 'query($id: ID!) { customerGroup(id: $id) { id } }', {
      id: personId,
    });
    expect(codesOf(res)).toEqual(['NOT_FOUND']);
    // Another workspace sees none of them.
    expect(
      (
        await q<{ customerGroups: { edges: unknown[] } }>(
          '{ customerGroups { edges { cursor } } }',
          {},
          t.b.keys.viewer,
        )
      ).customerGroups.edges,
    ).toEqual([]);
  });

  it('take our tags by their own mutation, and are selected by tag', async () => {
    expect(
      (
        await q<{ tagCustomerGroups: number }>(
          'mutation($t: ID!, $g: [ID!]!) { tagCustomerGroups(tagId: $t, groupIds: $g) }',
          {
            t: tagId,
            g: [groupId.wrVip2!, groupId.wrPromo!],
          },
        )
      ).tagCustomerGroups,
    ).toBe(2);
    expect((await list(`tagId: "${tagId}"`)).map((g) => [g.chatId, g.tags])).toEqual([
      ['wrPromo', [{ name: '高价值' }]],
      ['wrVip2', [{ name: '高价值' }]],
    ]);
    // The group surface refuses a person, the person surface a group; nothing changes.
    const before = await rowCounts(t.app.deps.db);
    const refused = await gql(
      t.url,
      t.a.keys.operator,
      'mutation($t: ID!, $g: [ID!]!) { tagCustomerGroups(tagId: $t, groupIds: $g) }',
      {
        t: tagId,
        g: [personId],
      },
    );
    expect(codesOf(refused)).toEqual(['NOT_FOUND']);
    const asContact = await gql(
      t.url,
      t.a.keys.operator,
      'mutation($t: ID!, $c: [ID!]!) { tagContacts(tagId: $t, contactIds: $c) }',
      {
        t: tagId,
        c: [groupId.wrVip1!],
      },
    );
    expect(codesOf(asContact)).toEqual(['CONTACT_NOT_FOUND']);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    // The person tagged too: a person audience of the tag is the person, a group audience the groups.
    await q('mutation($t: ID!, $c: [ID!]!) { tagContacts(tagId: $t, contactIds: $c) }', {
      t: tagId,
      c: [personId],
    });
    const preview = async (audience: unknown) =>
      (
        await q<{
          audiencePreview: {
            matched: number;
            targets: string;
            sample: { id: string }[];
            groupSample: { chatId: string }[];
          };
        }>(
          'query($a: JSON!) { audiencePreview(audience: $a) { matched targets sample { id } groupSample { chatId } } }',
          {
            a: audience,
          },
        )
      ).audiencePreview;
    expect(await preview({ tag: tagId })).toEqual({
      matched: 1,
      targets: 'PERSON',
      sample: [{ id: personId }],
      groupSample: [],
    });
    expect(await preview({ and: [{ groups: {} }, { tag: tagId }] })).toEqual({
      matched: 2,
      targets: 'GROUP',
      sample: [],
      groupSample: [{ chatId: 'wrPromo' }, { chatId: 'wrVip2' }],
    });
    // `or` and `not` stay within groups: never the person of the tag, never every person.
    expect(await preview({ or: [{ tag: tagId }, { groups: { nameContains: '会员群一' } }] })).toMatchObject({
      matched: 3,
      sample: [],
    });
    expect(await preview({ not: { groups: { owners: ['zhouba'] } } })).toMatchObject({
      matched: 1,
      groupSample: [{ chatId: 'wrVip2' }],
    });
    expect(await preview({ all: true })).toMatchObject({ matched: 1, targets: 'PERSON' });
  });

  it('are not contacts: the list, a contact, edits, suppressions, erasure and merges refuse them, changing nothing', async () => {
    const contacts = await q<{ contacts: { edges: { node: { id: string } }[] } }>(
      '{ contacts(first: 50) { edges { node { id } } } }',
    );
    expect(contacts.contacts.edges.map((e) => e.node.id)).toEqual([personId]);
    expect(
      (
        await q<{ contacts: { edges: unknown[] } }>(
          '{ contacts(search: "会员群") { edges { node { id } } } }',
        )
      ).contacts.edges,
    ).toEqual([]);
    const before = await rowCounts(t.app.deps.db);
    const group = groupId.wrVip1!;
    const attempts: [string, string, Record<string, unknown>][] = [
      ['viewer', 'query($id: ID!) { contact(id: $id) { id } }', { id: group }],
      [
        'operator',
        'mutation($id: ID!) { updateContact(id: $id, input: { name: "x" }) { id } }',
        { id: group },
      ],
      [
        'operator',
        'mutation($c: [ID!]!) { suppressContacts(contactIds: $c, reason: BLACKLISTED) }',
        { c: [group] },
      ],
      ['admin', 'mutation($id: ID!) { eraseContact(id: $id) { id } }', { id: group }],
      ['admin', 'mutation($id: ID!) { recordOptIn(id: $id) }', { id: group }],
      [
        'operator',
        'mutation($i: ID!, $f: [ID!]!) { mergeContacts(into: $i, from: $f) { id } }',
        { i: personId, f: [group] },
      ],
      [
        'operator',
        'mutation($i: ID!, $f: [ID!]!) { mergeContacts(into: $i, from: $f) { id } }',
        { i: group, f: [personId] },
      ],
    ];
    for (const [role, query, variables] of attempts) {
      const res = await gql(t.url, t.a.keys[role as 'admin'], query, variables);
      expect(codesOf(res), query).toEqual(['CONTACT_NOT_FOUND']);
    }
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('an import cannot reach a group: a wecom_chat_id column maps to nothing, the groups stay as they were', async () => {
    const groupsBefore = await rows(
      t.app.deps.db,
      sql`SELECT id, name, tag_ids, attributes FROM contacts WHERE kind = 'group' ORDER BY id`,
    );
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: 'mutation($f: File!) { importContacts(file: $f) { id } }',
        variables: { f: null },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob(['name,wecom_chat_id,phone\n冒名群,wrVip1,13800138000\n']), 'list.csv');
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.a.keys.operator}` },
      body: form,
    });
    const id = ((await res.json()) as { data: { importContacts: { id: string } } }).data.importContacts.id;
    for (let i = 0; ; i++) {
      const { contactImport } = await q<{ contactImport: { state: string } }>(
        'query($id: ID!) { contactImport(id: $id) { state } }',
        { id },
      );
      if (contactImport.state !== 'running') break;
      if (i > 600) throw new Error('the import did not end');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(
      await rows(
        t.app.deps.db,
        sql`SELECT id, name, tag_ids, attributes FROM contacts WHERE kind = 'group' ORDER BY id`,
      ),
    ).toEqual(groupsBefore);
    const imported = await rows<{ kind: string; chats: number }>(
      t.app.deps.db,
      sql`SELECT c.kind, (SELECT count(*)::int FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'wecom_chat_id') AS chats
          FROM contacts c WHERE c.name = '冒名群'`,
    );
    expect(imported).toEqual([{ kind: 'person', chats: 0 }]);
  });

  it('are not held to the frequency cap meant for persons: the recipient facts say which is a group', async () => {
    const facts = await createSqlRecipientFacts(t.app.deps.db).recipientFacts({
      workspaceId: String(t.a.id),
      campaignId: '0',
      contactIds: [personId, groupId.wrVip1!],
      sentSince: new Date(0),
    });
    expect([facts.get(personId)?.kind, facts.get(groupId.wrVip1!)?.kind]).toEqual(['person', 'group']);
  });

  it('health: 退群率 past the alarm flags a group with the metric as reason; the workspace’s levels override the default', async () => {
    expect((await leave('wrVip1', 3, 'v-a1')).status).toBe(200); // 3 of 40: 7.5 %
    expect((await leave('wrPromo', 4, 'v-p1')).status).toBe(200); // 4 of 100: 4 %, warn
    const byChat = async (args = '') =>
      Object.fromEntries((await list(`first: 10 ${args}`)).map((g) => [g.chatId, g.health]));
    expect(await byChat()).toEqual({
      wrVip1: { quitRate: 7.5, healthy: false, reasons: [{ metric: 'metric:group-quit-rate', alarm: 5 }] },
      wrVip2: { quitRate: 0, healthy: true, reasons: [] },
      wrPromo: { quitRate: 4, healthy: true, reasons: [] },
    });
    expect((await list('health: UNHEALTHY')).map((g) => g.chatId)).toEqual(['wrVip1']);
    expect((await list('health: HEALTHY')).map((g) => g.chatId)).toEqual(['wrPromo', 'wrVip2']);
    const healthy = await q<{
      customerGroups: { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean } };
    }>('{ customerGroups(health: HEALTHY, first: 1) { edges { cursor } pageInfo { hasNextPage } } }');
    expect(healthy.customerGroups.pageInfo.hasNextPage).toBe(true);
    expect(
      (await list(`health: HEALTHY, after: "${healthy.customerGroups.edges[0]!.cursor}"`)).map(
        (g) => g.chatId,
      ),
    ).toEqual(['wrVip2']);
    // Last month nobody left: every group healthy then.
    const lastMonth = new Date(Date.now() + 8 * 3600_000);
    lastMonth.setUTCDate(1);
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    expect(await list(`health: UNHEALTHY, month: "${lastMonth.toISOString().slice(0, 7)}"`)).toEqual([]);
    // An admin sets a stricter level for this workspace: 4 % is past it now.
    await q(
      'mutation { setMetricLevels(levels: [{ metric: "metric:group-quit-rate", good: 1, alarm: 3 }]) { metric } }',
      {},
      t.a.keys.admin,
    );
    expect((await list('health: UNHEALTHY')).map((g) => [g.chatId, g.health.reasons])).toEqual([
      ['wrPromo', [{ metric: 'metric:group-quit-rate', alarm: 3 }]],
      ['wrVip1', [{ metric: 'metric:group-quit-rate', alarm: 3 }]],
    ]);
    const bad = await gql(
      t.url,
      t.a.keys.viewer,
      '{ customerGroups(month: "2026-13") { edges { cursor } } }',
    );
    expect(codesOf(bad)).toEqual(['INVALID_INPUT']);
  });
});
