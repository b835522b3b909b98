import { sandbox } from '@qunfa/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { replyFromPhone, runCampaignsToTag } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SEARCH = `query($q: String, $first: Int, $after: String, $tag: ID) {
  contacts(search: $q, first: $first, after: $after, tagId: $tag) {
    edges { node { name } } pageInfo { hasNextPage endCursor } } }`;
type SearchPage = {
  contacts: {
    edges: { node: { name: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};
const HISTORY = `query($id: ID!, $after: String) { contact(id: $id) { deliveries(first: 1, after: $after) {
  edges { node { campaignId campaignName channel state attempts { status } replies { text } } }
  pageInfo { hasNextPage endCursor } } } }`;
type HistoryPage = {
  contact: {
    deliveries: {
      edges: {
        node: { campaignId: string; campaignName: string; state: string; replies: { text: string }[] };
      }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
};

describe('contacts: search on the server, and a contact’s deliveries across campaigns', () => {
  let t: TestApp;
  let wang: string;
  let tag: string;

  const names = async (q: string, key = t.a.keys.viewer) =>
    (await gqlOk<SearchPage>(t.url, key, SEARCH, { q, first: 50 })).contacts.edges
      .map((e) => e.node.name)
      .sort();

  beforeAll(async () => {
    // No network failures: their retry waits 2 h, and the campaigns must end.
    t = await startTestApp('pglite', { quietHours: 'off' }, [
      sandbox({ latencyMs: { min: 1, max: 5 }, seed: 5, failureRates: { invalid_recipient: 0.05 } }),
    ]);
    tag = (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        t.a.keys.operator,
        'mutation { createTag(input: { name: "会员" }) { id } }',
      )
    ).createTag.id;
    const input = [
      { name: '王小明', tagIds: [tag], identities: [{ kind: 'PHONE', value: '139 0000 1234' }] },
      { name: '王芳', identities: [{ kind: 'EMAIL', value: 'Fang.Wang@Example.com' }] },
      { name: '李雷 100%_off', identities: [{ kind: 'WXID', value: 'wxid_lilei' }] },
      { name: '韩梅梅', tagIds: [tag], identities: [{ kind: 'PHONE', value: '+8613900005678' }] },
      ...Array.from({ length: 12 }, (_, i) => ({ name: `批量客户${i}`, tagIds: [tag] })),
    ];
    const created = await gqlOk<{ createContacts: { id: string }[] }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input },
    );
    wang = created.createContacts[0]!.id;
    // Workspace B has a 王 with the same phone: never found from A.
    await gqlOk(
      t.url,
      t.b.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [{ name: '王小明B', identities: [{ kind: 'PHONE', value: '13900001234' }] }],
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('finds by part of a name, an exact identity in any form, or the start of a phone or e-mail', async () => {
    expect(await names('王')).toEqual(['王小明', '王芳']);
    expect(await names('小明')).toEqual(['王小明']);
    expect(await names('+86 139-0000-1234')).toEqual(['王小明']);
    expect(await names('13900001234')).toEqual(['王小明']);
    expect(await names('1390000')).toEqual(['王小明', '韩梅梅']);
    expect(await names('FANG.WANG@example.com')).toEqual(['王芳']);
    expect(await names('fang.w')).toEqual(['王芳']);
    expect(await names('wxid_lilei')).toEqual(['李雷 100%_off']);
    // % and _ are literal, not patterns.
    expect(await names('%_')).toEqual(['李雷 100%_off']);
    expect(await names('_')).toEqual(['李雷 100%_off']);
    expect(await names('nobody')).toEqual([]);
    expect(await names('王', t.b.keys.viewer)).toEqual(['王小明B']);
    // Blank is no search at all.
    expect((await names('  ')).length).toBe(16);
  });

  it('pages a search and combines it with a tag; a search past 100 characters is refused', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: SearchPage = await gqlOk<SearchPage>(t.url, t.a.keys.viewer, SEARCH, {
        q: '客户',
        first: 5,
        after,
      });
      seen.push(...page.contacts.edges.map((e) => e.node.name));
      if (!page.contacts.pageInfo.hasNextPage) break;
      after = page.contacts.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `批量客户${i}`));
    const tagged = await gqlOk<SearchPage>(t.url, t.a.keys.viewer, SEARCH, { q: '1390000', tag, first: 50 });
    expect(tagged.contacts.edges.map((e) => e.node.name).sort()).toEqual(['王小明', '韩梅梅']);
    expect(codesOf(await gql(t.url, t.a.keys.viewer, SEARCH, { q: '王'.repeat(101) }))).toEqual([
      'INVALID_INPUT',
    ]);
  });

  it('lists what reached a contact, newest first, with the campaign, outcome and replies', async () => {
    const [first, second] = await runCampaignsToTag(t, tag, ['双十一预告', '双十二预告']);
    await replyFromPhone(t, '13900001234', '几点开始？');
    const pages: HistoryPage['contact']['deliveries']['edges'][number]['node'][] = [];
    let after: string | null = null;
    for (;;) {
      const page: HistoryPage = await gqlOk<HistoryPage>(t.url, t.a.keys.viewer, HISTORY, {
        id: wang,
        after,
      });
      pages.push(...page.contact.deliveries.edges.map((e) => e.node));
      if (!page.contact.deliveries.pageInfo.hasNextPage) break;
      after = page.contact.deliveries.pageInfo.endCursor;
    }
    expect(pages.map((d) => [d.campaignId, d.campaignName])).toEqual([
      [second, '双十二预告'],
      [first, '双十一预告'],
    ]);
    // The reply is the latest campaign's, which last reached them on that channel.
    expect(pages.map((d) => d.replies.map((r) => r.text))).toEqual([['几点开始？'], []]);
    // Another workspace cannot read the contact, nor its history.
    expect(codesOf(await gql(t.url, t.b.keys.viewer, HISTORY, { id: wang }))).toEqual(['CONTACT_NOT_FOUND']);
  });
});
