import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DOC = 'query Me { viewer { role } }';
const hash = (d: string) => createHash('sha256').update(d).digest('hex');

async function post(url: string, key: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    ...((await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] }),
  };
}

describe('persisted-operation mode: keys that run only allow-listed documents', () => {
  let t: TestApp;
  let key = '';
  beforeAll(async () => {
    t = await startTestApp('pglite', { worker: 'off' });
    const registered = await gqlOk<{ registerPersistedOperation: { hash: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation($n: String!, $d: String!) { registerPersistedOperation(name: $n, document: $d) { hash } }',
      { n: 'me', d: DOC },
    );
    expect(registered.registerPersistedOperation.hash).toBe(hash(DOC));
    const { issueApiKey } = await gqlOk<{
      issueApiKey: { secret: string; apiKey: { persistedOnly: boolean } };
    }>(
      t.url,
      t.a.keys.admin,
      'mutation { issueApiKey(input: { name: "partner prod", role: OPERATOR, persistedOnly: true }) { secret apiKey { persistedOnly } } }',
    );
    expect(issueApiKey.apiKey.persistedOnly).toBe(true);
    key = issueApiKey.secret;
  });
  afterAll(() => t?.stop());

  it('runs a registered document by its hash, and nothing else', async () => {
    const ok = await post(t.url, key, {
      extensions: { persistedQuery: { version: 1, sha256Hash: hash(DOC) } },
    });
    expect(ok).toMatchObject({ status: 200, data: { viewer: { role: 'OPERATOR' } } });
    const withText = await post(t.url, key, {
      query: DOC,
      extensions: { persistedQuery: { sha256Hash: hash(DOC) } },
    });
    expect(withText.data).toEqual({ viewer: { role: 'OPERATOR' } });
    for (const body of [
      { query: DOC },
      {
        query: '{ campaigns(first: 1) { edges { cursor } } }',
        extensions: { persistedQuery: { sha256Hash: hash(DOC) } },
      },
    ]) {
      const refused = await post(t.url, key, body);
      expect(refused.data ?? null, JSON.stringify(refused)).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    }
    // A hash nobody registered: PERSISTED_QUERY_NOT_FOUND (Apollo's code and message), nothing
    // runs; resent with its text it is still off the allow-list.
    const unknownDoc = '{ viewer { keyName } }';
    const unknown = await post(t.url, key, {
      extensions: { persistedQuery: { version: 1, sha256Hash: hash(unknownDoc) } },
    });
    expect(unknown.data ?? null).toBeNull();
    expect(unknown.errors).toMatchObject([
      { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    ]);
    const resent = await post(t.url, key, {
      query: unknownDoc,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash(unknownDoc) } },
    });
    expect(resent.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    // Another workspace's allow-list is not this one's.
    const other = await gqlOk<{ issueApiKey: { secret: string } }>(
      t.url,
      t.b.keys.admin,
      'mutation { issueApiKey(input: { name: "p", role: VIEWER, persistedOnly: true }) { secret } }',
    );
    const foreign = await post(t.url, other.issueApiKey.secret, {
      extensions: { persistedQuery: { sha256Hash: hash(DOC) } },
    });
    expect(foreign.data ?? null).toBeNull();
    expect(foreign.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // Keys without the mode are untouched.
    expect(codesOf(await gql(t.url, t.a.keys.viewer, '{ viewer { role } }'))).toEqual([]);
  });

  it('follows the APQ convention for other keys: hash alone, not found, resent with the text, then by hash', async () => {
    const doc = `query Roles { viewer { role keyName } } # ${Date.now()}`;
    const ext = { persistedQuery: { version: 1, sha256Hash: hash(doc) } };
    const key = t.a.keys.viewer;
    const first = await post(t.url, key, { extensions: ext });
    expect(first.status).toBe(200);
    expect(first.errors).toMatchObject([
      { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    ]);
    // The same over GET, the way APQ clients send queries for CDN caching.
    const get = await fetch(`${t.url}/graphql?extensions=${encodeURIComponent(JSON.stringify(ext))}`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
    });
    expect(get.headers.get('cache-control')).toContain('no-cache');
    expect(
      ((await get.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
    ).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await post(t.url, key, { query: doc, extensions: ext })).toMatchObject({
      data: { viewer: { role: 'VIEWER' } },
    });
    expect(await post(t.url, key, { extensions: ext })).toMatchObject({
      data: { viewer: { role: 'VIEWER' } },
    });
    // Another workspace does not see it; a text that is not the hash's is refused, nothing runs.
    const foreign = await post(t.url, t.b.keys.viewer, { extensions: ext });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const mismatch = await post(t.url, key, { query: '{ viewer { role } }', extensions: ext });
    expect(mismatch).toMatchObject({ status: 400, errors: [{ extensions: { code: 'INVALID_INPUT' } }] });
    expect(mismatch.data ?? null).toBeNull();
    // A registered document runs by hash for any key of its workspace.
    expect(
      await post(t.url, t.a.keys.operator, { extensions: { persistedQuery: { sha256Hash: hash(DOC) } } }),
    ).toMatchObject({ data: { viewer: { role: 'OPERATOR' } } });
    for (const bad of [{ sha256Hash: 'abc' }, { sha256Hash: hash(DOC), version: 2 }, { sha256Hash: 7 }]) {
      const refused = await post(t.url, key, { extensions: { persistedQuery: bad } });
      expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(bad)).toBe('INVALID_INPUT');
    }
  });

  it('holds over graphql-ws too', async () => {
    const client = wsClient(t.url, key);
    const run = (payload: { query: string; extensions?: Record<string, unknown> }) =>
      new Promise<{ data?: unknown; errors?: unknown }>((resolve) => {
        let result: { data?: unknown; errors?: unknown } = {};
        client.subscribe(payload, {
          next: (r) => {
            result = r as typeof result;
          },
          error: (e) => resolve({ errors: e }),
          complete: () => resolve(result),
        });
      });
    try {
      expect(await run({ query: '', extensions: { persistedQuery: { sha256Hash: hash(DOC) } } })).toEqual({
        data: { viewer: { role: 'OPERATOR' } },
      });
      const refused = await run({ query: DOC });
      expect(JSON.stringify(refused.errors)).toContain('PERSISTED_QUERY_ONLY');
      const unknown = await run({ query: '', extensions: { persistedQuery: { sha256Hash: hash('{ x }') } } });
      expect(JSON.stringify(unknown.errors)).toContain('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await client.dispose();
    }
  });
});
