import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
import { codesOf, type GraphQLResponse, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE_CONTACT = 'mutation($input: CreateContactInput!) { createContact(input: $input) { id } }';
const CREATE_CAMPAIGN = `mutation($name: String!, $a: JSON) { createCampaign(input: { name: $name, audience: $a,
  variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }`;

/** An object nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const phone = (i: number) => `1390000${String(i).padStart(4, '0')}`;

describe.each(drivers)('bad input is refused with a typed code, never INTERNAL (%s)', (driver) => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp(driver);
    key = t.a.keys.admin;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses deeply nested attributes and NUL characters, writing nothing', async () => {
    const before = await rowCounts(t.app.deps.db);
    const cases: unknown[] = [
      { identities: [{ kind: 'PHONE', value: phone(1) }], attributes: nested(3000) },
      { identities: [{ kind: 'PHONE', value: phone(2) }], name: 'a\u0000b' },
      { identities: [{ kind: 'PHONE', value: phone(3) }], attributes: { note: 'x\u0000' } },
      { identities: [{ kind: 'PHONE', value: phone(4) }], attributes: { 'k\u0000': 1 } },
    ];
    for (const input of cases) {
      expect(codesOf(await gql(t.url, key, CREATE_CONTACT, { input }))).toEqual(['INVALID_INPUT']);
    }
    // A NUL written into the query text itself, not a variable.
    const literal = await gql(
      t.url,
      key,
      'mutation { createContact(input: { name: "a\\u0000b", identities: [{ kind: PHONE, value: "13900000005" }] }) { id } }',
    );
    expect(codesOf(literal)).toEqual(['INVALID_INPUT']);
    expect(codesOf(await gql(t.url, key, CREATE_CAMPAIGN, { name: 'n', a: nested(3000) }))).toEqual([
      'INVALID_INPUT',
    ]);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('answers random JSON and strings at contact, campaign and import inputs without INTERNAL', async () => {
    let n = 100;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.jsonValue({ maxDepth: 6 }),
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(nested(200))),
        async (text, json, deep) => {
          n += 1;
          const responses = [
            await gql(t.url, key, CREATE_CONTACT, {
              input: { name: text, identities: [{ kind: 'PHONE', value: phone(n) }], attributes: json },
            }),
            await gql(t.url, key, CREATE_CONTACT, {
              input: {
                name: 'p',
                identities: [{ kind: 'PHONE', value: phone(n + 5000) }],
                attributes: { v: deep },
              },
            }),
            await gql(t.url, key, CREATE_CAMPAIGN, { name: text, a: json }),
            await gql(t.url, key, CREATE_CAMPAIGN, { name: 'c', a: deep }),
          ];
          for (const res of responses) expect(codesOf(res)).not.toContain('INTERNAL');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers random CSV text at the import without INTERNAL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (body) => {
        const form = new FormData();
        form.set(
          'operations',
          JSON.stringify({
            query: 'mutation($f: File!) { importContacts(file: $f) { id state } }',
            variables: { f: null },
          }),
        );
        form.set('map', JSON.stringify({ 0: ['variables.f'] }));
        form.set('0', new Blob([`手机,姓名,属性.x\n${body}`]), 'list.csv');
        const res = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: form,
        });
        const json = (await res.json()) as GraphQLResponse<{ importContacts: { id: string } }>;
        expect(codesOf(json)).not.toContain('INTERNAL');
        // An accepted import runs on: wait for its end, which must not be a failure either.
        const id = json.data?.importContacts.id;
        for (let i = 0; id && i < 200; i++) {
          const { contactImport } = await gqlOk<{ contactImport: { state: string } }>(
            t.url,
            key,
            'query($id: ID!) { contactImport(id: $id) { state } }',
            { id },
          );
          if (contactImport.state === 'running') await new Promise((r) => setTimeout(r, 25));
          else {
            expect(contactImport.state).not.toBe('failed');
            break;
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
