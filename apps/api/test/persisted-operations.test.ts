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
    // A hash nobody registered: refused, nothing runs (yoga's own check answers BAD_REQUEST first).
    const unknown = await post(t.url, key, {
      extensions: { persistedQuery: { sha256Hash: hash('{ viewer { keyName } }') } },
    });
    expect(unknown.data ?? null).toBeNull();
    expect(unknown.errors?.length).toBeGreaterThan(0);
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
    expect(foreign.errors?.length).toBeGreaterThan(0);
    // Keys without the mode are untouched.
    expect(codesOf(await gql(t.url, t.a.keys.viewer, '{ viewer { role } }'))).toEqual([]);
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
    } finally {
      await client.dispose();
    }
  });
});
