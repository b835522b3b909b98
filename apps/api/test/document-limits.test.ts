import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentLimitValues } from '../src/graphql/yoga.js';
import { codesOf, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const limits = documentLimitValues;

describe('limits on a GraphQL document', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    key = t.a.keys.viewer;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const refused = async (query: string, limit: RegExp) => {
    const res = await gql(t.url, key, query);
    expect(res.data ?? null).toBeNull();
    expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain(
      codesOf(res)[0],
    );
    expect(res.errors!.map((e) => e.message).join(' ')).toMatch(limit);
  };

  it('answers the deepest query the console makes', async () => {
    const { campaigns } = await gqlOk<{ campaigns: { edges: unknown[] } }>(
      t.url,
      key,
      `{ campaigns(first: 5) { edges { node { id deliveries(first: 5) { edges { node { id attempts { status error } } } } } } } }`,
    );
    expect(campaigns.edges).toEqual([]);
  });

  it('refuses too many aliases, directives or tokens, and too deep a document', async () => {
    const aliases = Array.from({ length: limits.aliases + 1 }, (_, i) => `a${i}: tags { id }`).join(' ');
    await refused(`{ ${aliases} }`, /alias/i);
    const directives = Array.from({ length: limits.directives + 1 }, () => '@include(if: true)').join(' ');
    await refused(`{ tags ${directives} { id } }`, /directive/i);
    const tokens = Array.from({ length: limits.tokens }, () => 'id').join(' ');
    await refused(`{ tags { ${tokens} } }`, /token/i);
    let deep = 'id';
    for (let i = 0; i <= limits.depth; i++) deep = `x${i} { ${deep} }`;
    await refused(`{ ${deep} }`, /depth/i);
  });

  it('refuses an over-limit subscription over graphql-ws too', async () => {
    const client = wsClient(t.url, key);
    try {
      const aliases = Array.from(
        { length: limits.aliases + 1 },
        (_, i) => `a${i}: campaignProgress(campaignId: "1") { campaignId }`,
      ).join(' ');
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { ${aliases} }` },
          { next: () => {}, error: resolve, complete: () => resolve(undefined) },
        );
      });
      expect(JSON.stringify(errors)).toMatch(/alias/i);
    } finally {
      await client.dispose();
    }
  });
});
