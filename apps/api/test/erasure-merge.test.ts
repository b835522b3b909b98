import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every personal value of the person the test erases, as stored and as typed. */
const personal = [
  '欧阳娜娜',
  '13912345678',
  'nana.secret@example.com',
  'wxid_nana_secret',
  'unionid-nana-7788',
  '秘密爱好',
  'Nana-Region-7788',
  'Nana-City',
];

const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;

describe('erasure and merge', () => {
  let t: TestApp;
  let admin: string;
  let tag: string;

  /** Occurrences of `value` in every text, varchar, json and jsonb column of every table. */
  async function occurrences(value: string): Promise<string[]> {
    const columns = await rows<{ table: string; column: string }>(
      t.app.deps.db,
      sql`SELECT c.table_name AS table, c.column_name AS column FROM information_schema.columns c
          JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
          WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
            AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')`,
    );
    expect(columns.length).toBeGreaterThan(40);
    const found: string[] = [];
    for (const { table, column } of columns) {
      const [row] = await rows<{ n: number }>(
        t.app.deps.db,
        sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${sql.identifier(column)}::text LIKE ${`%${value}%`}`,
      );
      if (row!.n > 0) found.push(`${table}.${column}`);
    }
    return found;
  }

  beforeAll(async () => {
    t = await startTestApp('pglite');
    admin = t.a.keys.admin;
    tag = (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        admin,
        'mutation { createTag(input: { name: "会员" }) { id } }',
      )
    ).createTag.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('erases a person everywhere, keeps anonymous counts, and blocks re-targeting until a new opt-in', async () => {
    const { createContact } = await gqlOk<{ createContact: { id: string } }>(t.url, admin, CREATE, {
      input: {
        name: '欧阳娜娜',
        identities: [
          { kind: 'PHONE', value: '139 1234 5678' },
          { kind: 'EMAIL', value: 'nana.secret@example.com' },
          { kind: 'WXID', value: 'wxid_nana_secret' },
          { kind: 'UNIONID', value: 'unionid-nana-7788' },
        ],
        attributes: { hobby: '秘密爱好' },
        region: 'Nana-Region-7788',
        city: 'Nana-City',
        tagIds: [tag],
      },
    });
    const id = createContact.id;
    await gqlOk(t.url, admin, CREATE, {
      input: { name: 'other', identities: [{ kind: 'PHONE', value: '13900000000' }], tagIds: [tag] },
    });
    await gqlOk(
      t.url,
      admin,
      'mutation($c: [ID!]!) { suppressContacts(contactIds: $c, reason: COMPLAINED, note: "欧阳娜娜 complained") }',
      {
        c: [id],
      },
    );
    await gqlOk(
      t.url,
      admin,
      'mutation($c: [ID!]!) { unsuppressContacts(contactIds: $c, reason: COMPLAINED) }',
      { c: [id] },
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      admin,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'hello',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '{{name}} 您好' } }],
          channelPlan: [{ channel: 'channel:sandbox' }],
        },
      },
    );
    await gqlOk(t.url, admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', {
      id: createCampaign.id,
    });
    for (let i = 0; ; i++) {
      const { campaign } = await gqlOk<{ campaign: { state: string } }>(
        t.url,
        admin,
        'query($id: ID!) { campaign(id: $id) { state } }',
        {
          id: createCampaign.id,
        },
      );
      if (campaign.state === 'COMPLETED') break;
      if (i > 300) throw new Error(`campaign stuck in ${campaign.state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await rowCounts(t.app.deps.db);
    expect((await occurrences('13912345678')).length).toBeGreaterThan(0);

    const res = await gqlOk<{ eraseContact: { id: string } }>(
      t.url,
      admin,
      'mutation($id: ID!) { eraseContact(id: $id) { id erasedAt } }',
      {
        id,
      },
    );
    expect(res.eraseContact.id).toBe(id);
    for (const value of personal)
      expect({ value, found: await occurrences(value) }).toEqual({ value, found: [] });
    const after = await rowCounts(t.app.deps.db);
    expect(after.deliveries).toBe(before.deliveries);
    expect(after.contacts).toBe(before.contacts);
    const [audit] = await rows<{ action: string; subject: string; details: unknown }>(
      t.app.deps.db,
      sql`SELECT action, subject_id AS subject, details FROM audit_log WHERE action = 'contact.erased'`,
    );
    expect(audit).toEqual({
      action: 'contact.erased',
      subject: id,
      details: { identities: 4, evidenceRedacted: 0, evidenceHeld: 0 },
    });

    const back = await gqlOk<{ createContact: { id: string } }>(t.url, admin, CREATE, {
      input: { name: 'back', identities: [{ kind: 'PHONE', value: '+8613912345678' }] },
    });
    const preview = `query($id: ID!, $a: JSON! = { all: true }) { audiencePreview(audience: $a) { suppressed { reason count } } contact(id: $id) { id } }`;
    const suppressedNow = await gqlOk<{
      audiencePreview: { suppressed: { reason: string; count: number }[] };
    }>(t.url, admin, preview, {
      id: back.createContact.id,
    });
    expect(suppressedNow.audiencePreview.suppressed).toEqual([{ reason: 'ERASED', count: 2 }]);
    expect(
      await gqlOk(t.url, admin, 'mutation($id: ID!) { recordOptIn(id: $id) }', { id: back.createContact.id }),
    ).toEqual({
      recordOptIn: true,
    });
    const lifted = await gqlOk<{ audiencePreview: { suppressed: unknown[] } }>(t.url, admin, preview, {
      id: back.createContact.id,
    });
    expect(lifted.audiencePreview.suppressed).toEqual([{ reason: 'ERASED', count: 1 }]);
    const refused = await gql(
      t.url,
      t.a.keys.operator,
      'mutation($id: ID!) { eraseContact(id: $id) { id } }',
      { id: back.createContact.id },
    );
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
  });

  it('merges contacts explicitly: identities, tags and fields move, with an audit entry', async () => {
    const a = (
      await gqlOk<{ createContact: { id: string } }>(t.url, admin, CREATE, {
        input: { name: 'A', identities: [{ kind: 'PHONE', value: '13700000001' }], province: '浙江省' },
      })
    ).createContact.id;
    const b = (
      await gqlOk<{ createContact: { id: string } }>(t.url, admin, CREATE, {
        input: {
          identities: [{ kind: 'UNIONID', value: 'u-b' }],
          city: '杭州市',
          tagIds: [tag],
          attributes: { level: 'gold' },
        },
      })
    ).createContact.id;
    const merged = await gqlOk<{ mergeContacts: Record<string, unknown> }>(
      t.url,
      admin,
      'mutation($a: ID!, $b: ID!) { mergeContacts(into: $a, from: [$b]) { id name province city attributes tags { id } identities { kind value } } }',
      { a, b },
    );
    expect(merged.mergeContacts).toEqual({
      id: a,
      name: 'A',
      province: '浙江省',
      city: '杭州市',
      attributes: { level: 'gold' },
      tags: [{ id: tag }],
      identities: [
        { kind: 'PHONE', value: '+8613700000001' },
        { kind: 'UNIONID', value: 'u-b' },
      ],
    });
    expect(codesOf(await gql(t.url, admin, 'query($b: ID!) { contact(id: $b) { id } }', { b }))).toEqual([
      'CONTACT_NOT_FOUND',
    ]);
    const [audit] = await rows<{ details: unknown }>(
      t.app.deps.db,
      sql`SELECT details FROM audit_log WHERE action = 'contacts.merged'`,
    );
    expect(audit!.details).toEqual({ from: [b], keptForCounts: [] });
    const self = await gql(t.url, admin, 'mutation($a: ID!) { mergeContacts(into: $a, from: [$a]) { id } }', {
      a,
    });
    expect(codesOf(self)).toEqual(['INVALID_INPUT']);
  });
});
