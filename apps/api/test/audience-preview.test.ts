import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceIndexesFor } from '../src/audience/audience-indexes.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PREVIEW = `query($a: JSON!, $d: Boolean) { audiencePreview(audience: $a, sampleSize: 3, excludeDormant: $d) {
  matched sendable suppressedTotal suppressed { reason count } sample { id } summary } }`;

interface Preview {
  matched: number;
  sendable: number;
  suppressedTotal: number;
  suppressed: { reason: string; count: number }[];
  sample: { id: string }[];
  summary: string;
}

describe('audience preview, bulk tagging, suppressions and segments over GraphQL', () => {
  let t: TestApp;
  let op: string;
  let vip: string;
  let parent: string;
  let child: string;
  let ids: string[];
  const preview = async (a: unknown, d = false) =>
    (await gqlOk<{ audiencePreview: Preview }>(t.url, op, PREVIEW, { a, d })).audiencePreview;
  const tag = async (name: string, parentId?: string) =>
    (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        op,
        'mutation($n: String!, $p: ID) { createTag(input: { name: $n, parentId: $p }) { id } }',
        { n: name, p: parentId },
      )
    ).createTag.id;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    op = t.a.keys.operator;
    vip = await tag('vip');
    parent = await tag('渠道');
    child = await tag('门店', parent);
    const now = Date.now();
    const input = Array.from({ length: 20 }, (_, i) => ({
      name: `c${i}`,
      identities: [{ kind: 'PHONE', value: `1380013${String(i).padStart(4, '0')}` }],
      province: i % 2 === 0 ? '浙江省' : '广东省',
      device: i % 3 === 0 ? 'iOS' : 'android',
      lastActiveAt: i < 10 ? new Date(now - i * 86_400_000).toISOString() : null,
      attributes: { spend: i * 10 },
      tagIds: i < 5 ? [child] : [],
    }));
    ids = (
      await gqlOk<{ createContacts: { id: string }[] }>(
        t.url,
        op,
        'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
        { input },
      )
    ).createContacts.map((c) => c.id);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('counts exactly, with predicates, and sees a tag change at once', async () => {
    expect((await preview({ all: true })).matched).toBe(20);
    expect((await preview({ tagUnder: parent })).matched).toBe(5);
    expect((await preview({ and: [{ region: { province: '浙江省' } }, { device: 'ios' }] })).matched).toBe(4);
    expect((await preview({ attribute: { key: 'spend', op: 'gte', value: 150 } })).matched).toBe(5);
    expect((await preview({ activeWithinDays: 3 })).matched).toBe(3);
    expect((await preview({ tag: vip })).matched).toBe(0);
    await gqlOk(t.url, op, 'mutation($t: ID!, $c: [ID!]!) { tagContacts(tagId: $t, contactIds: $c) }', {
      t: vip,
      c: ids.slice(0, 3),
    });
    const after = await preview({ tag: vip });
    expect(after.matched).toBe(3);
    expect(after.sample.map((s) => s.id)).toEqual(ids.slice(0, 3));
    await gqlOk(t.url, op, 'mutation($t: ID!, $c: [ID!]!) { untagContacts(tagId: $t, contactIds: $c) }', {
      t: vip,
      c: [ids[0]],
    });
    expect((await preview({ tag: vip })).matched).toBe(2);
  });

  it('samples the first sendable contacts whole, each with its own identities, in one statement', async () => {
    const CONTACT = `name province device lastActiveAt attributes identities { kind value }`;
    const { audiencePreview: p } = await gqlOk<{
      audiencePreview: { sample: ({ id: string } & Record<string, unknown>)[] };
    }>(
      t.url,
      op,
      `query($a: JSON!) { audiencePreview(audience: $a, sampleSize: 4) { sample { id ${CONTACT} } } }`,
      { a: { region: { province: '广东省' } } },
    );
    // Odd positions are in 广东省 (the first matching contacts, oldest first).
    expect(p.sample.map((s) => s.id)).toEqual([ids[1], ids[3], ids[5], ids[7]]);
    for (const s of p.sample) {
      const { contact } = await gqlOk<{ contact: Record<string, unknown> }>(
        t.url,
        op,
        `query($id: ID!) { contact(id: $id) { ${CONTACT} } }`,
        { id: s.id },
      );
      const { id: _, ...rest } = s;
      expect(rest).toEqual(contact);
      expect(contact.identities).toHaveLength(1);
    }
  });

  it('tags by audience, set-based', async () => {
    const n = await gqlOk<{ tagContactsByAudience: number }>(
      t.url,
      op,
      'mutation($t: ID!, $a: JSON!) { tagContactsByAudience(tagId: $t, audience: $a) }',
      { t: vip, a: { region: { province: '广东省' } } },
    );
    expect(n.tagContactsByAudience).toBe(9);
    expect((await preview({ tag: vip })).matched).toBe(11);
  });

  it('splits suppressed contacts by reason, dormant included on request', async () => {
    await gqlOk(
      t.url,
      op,
      'mutation($c: [ID!]!) { suppressContacts(contactIds: $c, reason: UNSUBSCRIBED) }',
      {
        c: ids.slice(0, 2),
      },
    );
    const reply = (phone: string, text: string) =>
      gqlOk(
        t.url,
        op,
        'mutation($p: String!, $t: String!) { recordSmsReply(phone: $p, text: $t) { unsubscribed } }',
        {
          p: phone,
          t: text,
        },
      );
    expect(await reply('+86 138 0013 0002', ' 退订 ')).toEqual({ recordSmsReply: { unsubscribed: 1 } });
    expect(await reply('13800130003', '谢谢')).toEqual({ recordSmsReply: { unsubscribed: 0 } });
    await gqlOk(t.url, op, 'mutation($c: [ID!]!) { suppressContacts(contactIds: $c, reason: COMPLAINED) }', {
      c: [ids[3]],
    });
    const p = await preview({ all: true });
    expect(p).toMatchObject({ matched: 20, sendable: 16, suppressedTotal: 4 });
    expect(p.summary).toBe('20 match, 4 suppressed: 3 unsubscribed, 1 complained');
    const dormant = await preview({ all: true }, true);
    expect(dormant.suppressed).toEqual([
      { reason: 'UNSUBSCRIBED', count: 3 },
      { reason: 'COMPLAINED', count: 1 },
      { reason: 'DORMANT', count: 10 },
    ]);
    expect(dormant.sendable).toBe(6);

    // A campaign before its start counts its audience the same way (the list shows a draft's size);
    // once started, its planned deliveries are its audience and the field is null.
    const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { state counters { total }
      audiencePreview { matched sendable suppressed { reason count } sample { id } } } }`;
    type Counted = {
      campaign: {
        state: string;
        counters: { total: number };
        audiencePreview: (Omit<Preview, 'summary' | 'suppressedTotal'> & { sample: unknown[] }) | null;
      };
    };
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      op,
      `mutation { createCampaign(input: { name: "草稿", audience: { all: true }, excludeDormant: true,
        variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }`,
    );
    const draft = (await gqlOk<Counted>(t.url, op, CAMPAIGN, { id: createCampaign.id })).campaign;
    expect(draft.audiencePreview).toEqual({
      matched: 20,
      sendable: 6,
      suppressed: dormant.suppressed,
      sample: [],
    });
    await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: createCampaign.id });
    const started = (await gqlOk<Counted>(t.url, op, CAMPAIGN, { id: createCampaign.id })).campaign;
    expect(started.audiencePreview).toBeNull();
    expect(started.counters.total).toBe(20);
    // To its end here: its completion writes rows a later test's "writing nothing" check would see.
    await waitForCompletion(t, createCampaign.id);
  });

  it('saves segments', async () => {
    const saved = await gqlOk<{ saveSegment: { id: string; audience: unknown } }>(
      t.url,
      op,
      'mutation($a: JSON!) { saveSegment(name: "杭州活跃", audience: $a) { id audience } }',
      { a: { and: [{ region: { city: '杭州市' } }, { activeWithinDays: 7 }] } },
    );
    expect(saved.saveSegment.audience).toEqual({
      and: [{ region: { city: '杭州市' } }, { activeWithinDays: 7 }],
    });
    const { segments } = await gqlOk<{ segments: { name: string }[] }>(t.url, op, '{ segments { name } }');
    expect(segments.map((s) => s.name)).toEqual(['杭州活跃']);
  });

  it('refuses bad expressions and unknown tags with typed errors, writing nothing', async () => {
    const refused = async (code: string, query: string, variables: Record<string, unknown>) => {
      const before = await rowCounts(t.app.deps.db);
      const res = await gql(t.url, op, query, variables);
      expect(codesOf(res)).toContain(code);
      expect(await rowCounts(t.app.deps.db)).toEqual(before);
      return res;
    };
    const bad = await refused('INVALID_INPUT', PREVIEW, { a: { region: {} } });
    expect(bad.errors?.[0]?.extensions?.details?.field).toMatch(/^audience/);
    await refused('INVALID_INPUT', PREVIEW, { a: { tag: vip, device: 'ios' } });
    await refused('INVALID_INPUT', PREVIEW, { a: { activeWithinDays: -1 } });
    await refused('TAG_NOT_FOUND', PREVIEW, { a: { tagUnder: '999999' } });
    await refused(
      'TAG_NOT_FOUND',
      'mutation($a: JSON!) { tagContactsByAudience(tagId: "999999", audience: $a) }',
      {
        a: { all: true },
      },
    );
    await refused('INVALID_INPUT', 'mutation($a: JSON!) { saveSegment(name: "", audience: $a) { id } }', {
      a: { all: true },
    });
    const third = await tag('三级', child);
    await refused(
      'INVALID_INPUT',
      'mutation($p: ID!) { createTag(input: { name: "四级", parentId: $p }) { id } }',
      {
        p: third,
      },
    );
    await refused(
      'CONTACT_NOT_FOUND',
      'mutation { suppressContacts(contactIds: ["999999"], reason: BLACKLISTED) }',
      {},
    );
    await refused('INVALID_INPUT', 'mutation { recordSmsReply(phone: "12", text: "TD") { recorded } }', {});
    await refused(
      'INVALID_INPUT',
      'mutation { createContact(input: { identities: [{ kind: PHONE, value: "12345" }] }) { id } }',
      {},
    );
  });
});

describe('audience indexes kept warm by the API process', () => {
  it('builds a workspace index in the background, before any preview asks', async () => {
    const t = await startTestApp('postgres', { audienceWarmMs: 100 });
    try {
      await gqlOk(
        t.url,
        t.a.keys.operator,
        'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
        {
          input: [{ name: 'w', identities: [{ kind: 'PHONE', value: '13800138000' }] }],
        },
      );
      const indexes = audienceIndexesFor(t.app.deps.db);
      for (let i = 0; i < 100 && !indexes.has(t.a.id); i++) await new Promise((r) => setTimeout(r, 50));
      expect(indexes.has(t.a.id)).toBe(true);
      const { audiencePreview } = await gqlOk<{ audiencePreview: { matched: number } }>(
        t.url,
        t.a.keys.operator,
        'query { audiencePreview(audience: { all: true }) { matched } }',
      );
      expect(audiencePreview.matched).toBe(1);
    } finally {
      await t.stop();
    }
  });
});
