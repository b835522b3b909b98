import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AudienceIndexes, audienceIndexesFor } from '../src/audience/audience-indexes.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TOKEN = 'metrics-token-0123456789';
const PREVIEW = 'query($a: JSON!) { audiencePreview(audience: $a) { matched } }';

/** Two workspaces' indexes under a budget that holds one of them: previews stay exact. */
describe('audience indexes under a memory budget (AUDIENCE_INDEX_MAX_MB)', () => {
  let t: TestApp;
  let indexes: AudienceIndexes;
  const tags: Record<'a' | 'b', string> = { a: '', b: '' };
  const preview = async (ws: 'a' | 'b') =>
    (
      await gqlOk<{ audiencePreview: { matched: number } }>(t.url, t[ws].keys.operator, PREVIEW, {
        a: { tag: tags[ws] },
      })
    ).audiencePreview.matched;
  const metric = async (name: string) => {
    const text = await (
      await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    return parsePrometheusTextFormat(text).find((f) => f.name === name)?.metrics;
  };

  beforeAll(async () => {
    // No warming: this test decides when each index is built.
    t = await startTestApp('pglite', { audienceWarmMs: 0, metricsToken: TOKEN });
    indexes = audienceIndexesFor(t.app.deps.db);
    for (const [ws, count] of [
      ['a', 300],
      ['b', 900],
    ] as const) {
      tags[ws] = await seedTaggedContacts(t.url, t[ws].keys.operator, {
        tagName: `budget-${ws}`,
        count,
        identity: (i) => ({
          kind: 'PHONE',
          value: `+86137${ws === 'a' ? 0 : 1}${String(i).padStart(7, '0')}`,
        }),
      });
    }
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('drops the index used longest ago past the budget, and rebuilds it exact on its next preview', async () => {
    expect(await preview('a')).toBe(300);
    const sizeA = indexes.stats().bytes;
    expect(await preview('b')).toBe(900);
    const sizeB = indexes.stats().bytes - sizeA;
    expect(sizeA).toBeGreaterThan(0);
    expect(sizeB).toBeGreaterThan(0);
    expect(indexes.stats().workspaces).toBe(2);

    // Room for the larger one, not both: A (used first) goes now.
    indexes.limit(Math.max(sizeA, sizeB) + Math.floor(Math.min(sizeA, sizeB) / 2));
    expect(indexes.has(t.a.id)).toBe(false);
    expect(indexes.has(t.b.id)).toBe(true);
    expect(indexes.stats().evictions).toBe(1);

    // A changes while it is out of memory: its rebuilt index sees it, and B goes in turn.
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [{ name: 'late', identities: [{ kind: 'PHONE', value: '+8613799999999' }], tagIds: [tags.a] }],
      },
    );
    expect(await preview('a')).toBe(301);
    expect(indexes.has(t.a.id)).toBe(true);
    expect(indexes.has(t.b.id)).toBe(false);
    expect(await preview('b')).toBe(900);

    const held = await metric('qunfa_audience_index_bytes');
    expect(Number(held?.find((m) => m.labels?.which === 'held')?.value)).toBe(indexes.stats().bytes);
    expect(Number((await metric('qunfa_audience_index_evictions_total'))?.[0]?.value)).toBe(3);
  });

  it('keeps the index just asked for even when it alone is over the budget', async () => {
    indexes.limit(1);
    expect(indexes.stats().workspaces).toBe(0);
    expect(await preview('b')).toBe(900);
    expect(indexes.stats().workspaces).toBe(1);
    expect(indexes.has(t.b.id)).toBe(true);
  });

  it('warms no more indexes once the budget is full: it only catches up those it holds', async () => {
    indexes.limit(1);
    expect(await preview('b')).toBe(900);
    const warm = indexes.keepWarm({ intervalMs: 60_000, logger: t.app.deps.logger });
    await warm.stop();
    expect(indexes.stats().workspaces).toBe(1);
    expect(indexes.has(t.b.id)).toBe(true);
  });
});
