import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Page {
  contacts: {
    edges: { cursor: string; node: { id: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const PAGE = `query($after: String, $tag: ID) { contacts(first: 10, after: $after, tagId: $tag) {
  edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;

describe('contacts and tags over GraphQL', () => {
  let t: TestApp;
  let ids: string[];
  let tag: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    const key = t.a.keys.operator;
    tag = (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        key,
        'mutation { createTag(input: { name: "t" }) { id } }',
      )
    ).createTag.id;
    const input = Array.from({ length: 25 }, (_, i) => ({ name: `n${i}`, tagIds: i % 2 === 0 ? [tag] : [] }));
    ids = (
      await gqlOk<{ createContacts: { id: string }[] }>(
        t.url,
        key,
        'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
        { input },
      )
    ).createContacts.map((c) => c.id);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('pages through every contact once, in order, with opaque cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: Page = await gqlOk<Page>(t.url, t.a.keys.viewer, PAGE, { after });
      seen.push(...res.contacts.edges.map((e) => e.node.id));
      if (!res.contacts.pageInfo.hasNextPage) break;
      after = res.contacts.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    const none = await gqlOk<Page>(t.url, t.b.keys.viewer, PAGE, {});
    expect(none.contacts.edges).toEqual([]);
  });

  it('filters by tag, untags, and updates a contact', async () => {
    const key = t.a.keys.operator;
    const tagged = await gqlOk<Page>(t.url, key, PAGE.replace('first: 10', 'first: 50'), { tag });
    expect(tagged.contacts.edges).toHaveLength(13);
    const removed = await gqlOk<{ untagContacts: number }>(
      t.url,
      key,
      'mutation($t: ID!, $c: [ID!]!) { untagContacts(tagId: $t, contactIds: $c) }',
      { t: tag, c: [ids[0], ids[1]] },
    );
    expect(removed.untagContacts).toBe(1);
    const { updateContact } = await gqlOk<{
      updateContact: {
        name: string;
        region: string;
        identities: { kind: string; value: string }[];
        tags: { id: string }[];
      };
    }>(
      t.url,
      key,
      `mutation($id: ID!) { updateContact(id: $id, input: { name: "王五", region: "杭州",
         identities: [{ kind: WXID, value: "wxid_w5" }] }) { name region identities { kind value } tags { id } } }`,
      { id: ids[2] },
    );
    expect(updateContact).toEqual({
      name: '王五',
      region: '杭州',
      identities: [{ kind: 'WXID', value: 'wxid_w5' }],
      tags: [{ id: tag }],
    });
  });
});
