import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { rows } from '../src/db/database.js';
import { MAX_LOGGED_CONTACTS } from '../src/store/audience-changes.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { drivers } from './support/databases.js';
import { gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp, testPlugins } from './support/test-app.js';

const PREVIEW = 'query($a: JSON!) { audiencePreview(audience: $a) { matched sendable } }';

interface Counts {
  matched: number;
  sendable: number;
}

/**
 * After every write path, the preview (answered by each API process's in-memory index) must
 * equal what a start plans from the database. Each process previews before every write, so
 * its index exists and must catch up — or rebuild — rather than being built fresh.
 */
describe.each(drivers)('audience preview right after each write path (%s)', (driver) => {
  let t: TestApp;
  let second: App | undefined;
  let key: string;
  let tag: string;
  /** One URL per API process sharing the database: two on PostgreSQL, one on in-process PGlite. */
  let urls: string[] = [];

  const previews = async (audience: unknown): Promise<Counts[]> =>
    Promise.all(
      urls.map(
        async (url) =>
          (await gqlOk<{ audiencePreview: Counts }>(url, key, PREVIEW, { a: audience })).audiencePreview,
      ),
    );

  /** Starts a campaign on the audience and reads what its plan wrote; then cancels it. */
  const planned = async (audience: unknown): Promise<Counts> => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      `mutation($a: JSON!) { createCampaign(input: { name: "probe", audience: $a, quietHours: { mode: OFF },
        variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }`,
      { a: audience },
    );
    const { startCampaign } = await gqlOk<{
      startCampaign: { counters: { total: number; suppressed: number } };
    }>(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { counters { total suppressed } } }', {
      id: createCampaign.id,
    });
    // An empty audience completes at once: nothing is left to cancel then.
    await gql(t.url, key, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    const { total, suppressed } = startCampaign.counters;
    return { matched: total, sendable: total - suppressed };
  };

  /** Preview (every process) and plan agree on each audience. Each process has an index by then. */
  const agree = async (audiences: unknown[]) => {
    for (const audience of audiences) {
      const plan = await planned(audience);
      expect(await previews(audience), JSON.stringify(audience)).toEqual(urls.map(() => plan));
    }
  };

  const importCsv = async (csv: string) => {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: 'mutation($f: File!) { importContacts(file: $f) { id } }',
        variables: { f: null },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob([csv]), 'list.csv');
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    const body = (await res.json()) as { data: { importContacts: { id: string } } };
    const id = body.data.importContacts.id;
    for (let i = 0; i < 600; i++) {
      const { contactImport } = await gqlOk<{ contactImport: { state: string } }>(
        t.url,
        key,
        'query($id: ID!) { contactImport(id: $id) { state } }',
        { id },
      );
      if (contactImport.state !== 'running') return contactImport.state;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('import never finished');
  };

  const contactIdsOf = async (phones: string[]) => {
    const found = await rows<{ id: string; value: string }>(
      t.app.deps.db,
      sql`SELECT contact_id::text AS id, value FROM contact_identities
          WHERE workspace_id = ${t.a.id}::bigint AND kind = 'phone' AND value = ANY(${`{${phones.join(',')}}`}::text[])`,
    );
    return phones.map((p) => found.find((f) => f.value === p)!.id);
  };

  beforeAll(async () => {
    t = await startTestApp(driver);
    key = t.a.keys.admin;
    tag = (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        key,
        'mutation { createTag(input: { name: "导入" }) { id } }',
      )
    ).createTag.id;
    // More contacts than the change log lists one by one, so bulk writes log "rebuild".
    await insertPhoneContacts(t.app.deps.db, t.a.id, MAX_LOGGED_CONTACTS + 100);
    urls = [t.url];
    if (driver === 'postgres') {
      second = await buildApp({ ...t.app.config, port: 0, worker: 'off' }, { plugins: testPlugins() });
      urls.push(await second.start());
    }
  });
  afterAll(async () => {
    await second?.stop();
    await t?.stop();
  });

  it('after a CSV import that tags contacts', async () => {
    await previews({ all: true });
    const lines = Array.from({ length: 30 }, (_, i) => `1370000${String(i).padStart(4, '0')},导入${i},导入`);
    expect(await importCsv(`手机,姓名,标签\n${lines.join('\n')}\n`)).toBe('completed');
    await agree([{ all: true }, { tag }]);
  });

  it('after tagging by expression in bulk', async () => {
    await previews({ all: true });
    await gqlOk(
      t.url,
      key,
      'mutation($t: ID!) { tagContactsByAudience(tagId: $t, audience: { all: true }) }',
      {
        t: tag,
      },
    );
    await agree([{ tag }]);
    await gqlOk(
      t.url,
      key,
      'mutation($t: ID!) { untagContactsByAudience(tagId: $t, audience: { all: true }) }',
      {
        t: tag,
      },
    );
    await agree([{ tag }]);
  });

  it('after a merge, an erasure and a suppression', async () => {
    const [a, b, c] = await contactIdsOf(['+8613700000000', '+8613700000001', '+8613700000002']);
    await gqlOk(t.url, key, 'mutation($t: ID!, $c: [ID!]!) { tagContacts(tagId: $t, contactIds: $c) }', {
      t: tag,
      c: [a, b, c],
    });
    await agree([{ tag }]);
    await gqlOk(t.url, key, 'mutation($f: [ID!]!, $i: ID!) { mergeContacts(from: $f, into: $i) { id } }', {
      f: [b],
      i: a,
    });
    await agree([{ tag }]);
    await gqlOk(t.url, key, 'mutation($id: ID!) { eraseContact(id: $id) { id } }', { id: c });
    await agree([{ tag }]);
    await gqlOk(
      t.url,
      key,
      'mutation($c: [ID!]!) { suppressContacts(contactIds: $c, reason: BLACKLISTED) }',
      {
        c: [a],
      },
    );
    await agree([{ tag }]);
  });
});
