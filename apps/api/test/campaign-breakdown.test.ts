import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const COUNTERS = 'total queued submitted sent delivered failed suppressed filtered uncertain waiting';
type CounterSet = Record<string, number> & { failedByClass: { failureClass: string; count: number }[] };

interface Breakdown {
  campaign: {
    counters: CounterSet;
    bySender: { channel: string | null; account: string | null; counters: CounterSet }[];
    batches: {
      edges: {
        node: {
          seq: number;
          channel: string;
          account: string | null;
          state: string;
          size: number;
          counters: CounterSet;
        };
      }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const QUERY = `query($id: ID!, $first: Int, $after: String) { campaign(id: $id) {
  counters { ${COUNTERS} failedByClass { failureClass count } }
  bySender { channel account counters { ${COUNTERS} failedByClass { failureClass count } } }
  batches(first: $first, after: $after) { edges { node { seq channel account state size counters { ${COUNTERS} failedByClass { failureClass count } } } }
    pageInfo { hasNextPage endCursor } } } }`;

const RECIPIENTS = 100;

describe.each(drivers)('a campaign by channel, sender account and batch (%s)', (driver) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp(driver, { quietHours: 'off' }, [
      sandbox({
        latencyMs: { min: 1, max: 3 },
        maxRecipientsPerSend: 20,
        accounts: ['acc-1', 'acc-2'],
        seed: 5,
        failureRates: { network: 0.06, invalid_recipient: 0.06 },
      }),
      ...builtinMetrics(),
    ]);
    const key = t.a.keys.operator;
    const input = Array.from({ length: RECIPIENTS }, (_, i) => ({
      identities: [{ kind: 'PHONE', value: `+8613600${String(i).padStart(6, '0')}` }],
    }));
    await gqlOk(
      t.url,
      key,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input,
      },
    );
    id = (
      await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        key,
        `mutation { createCampaign(input: { name: "b", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }],
          channelPlan: [{ channel: "channel:sandbox" }], retryPolicy: { maxAttempts: 1 } }) { id } }`,
      )
    ).createCampaign.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is empty before the plan, then adds up to the counters per account and per batch', async () => {
    const before = await gqlOk<Breakdown>(t.url, t.a.keys.viewer, QUERY, { id, first: 10 });
    expect(before.campaign.bySender).toEqual([]);
    expect(before.campaign.batches.edges).toEqual([]);

    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    for (let i = 0; i < 400 && (await t.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const { campaign } = await gqlOk<Breakdown>(t.url, t.a.keys.viewer, QUERY, { id, first: 100 });
    expect(campaign.counters.total).toBe(RECIPIENTS);
    expect(campaign.counters.failed).toBeGreaterThan(0);

    // Both accounts sent, round robin; together they are the campaign's counters, field by field.
    expect(campaign.bySender.map((s) => [s.channel, s.account])).toEqual([
      ['channel:sandbox', 'acc-1'],
      ['channel:sandbox', 'acc-2'],
    ]);
    const sum = (sets: CounterSet[]) => {
      const out: Record<string, number> = {};
      for (const set of sets) {
        for (const [k, v] of Object.entries(set)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
        for (const c of set.failedByClass)
          out[`class:${c.failureClass}`] = (out[`class:${c.failureClass}`] ?? 0) + c.count;
      }
      return out;
    };
    expect(sum(campaign.bySender.map((s) => s.counters))).toEqual(sum([campaign.counters]));

    // Five batches of 20, every one sent, the same sums again.
    const batches = campaign.batches.edges.map((e) => e.node);
    expect(batches.map((b) => b.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(batches.every((b) => b.state === 'DONE' && b.size === 20 && b.counters.total === 20)).toBe(true);
    expect(new Set(batches.map((b) => b.account))).toEqual(new Set(['acc-1', 'acc-2']));
    expect(sum(batches.map((b) => b.counters))).toEqual(sum([campaign.counters]));
    expect(campaign.batches.pageInfo.hasNextPage).toBe(false);
  });

  it('pages the timeline, refuses a bad cursor or size, and hides another workspace', async () => {
    const first = await gqlOk<Breakdown>(t.url, t.a.keys.viewer, QUERY, { id, first: 2 });
    expect(first.campaign.batches.edges.map((e) => e.node.seq)).toEqual([0, 1]);
    expect(first.campaign.batches.pageInfo.hasNextPage).toBe(true);
    const next = await gqlOk<Breakdown>(t.url, t.a.keys.viewer, QUERY, {
      id,
      first: 2,
      after: first.campaign.batches.pageInfo.endCursor,
    });
    expect(next.campaign.batches.edges.map((e) => e.node.seq)).toEqual([2, 3]);

    expect(codesOf(await gql(t.url, t.a.keys.viewer, QUERY, { id, first: 2, after: 'nonsense' }))).toEqual([
      'INVALID_INPUT',
    ]);
    expect(codesOf(await gql(t.url, t.a.keys.viewer, QUERY, { id, first: 0 }))).toEqual(['INVALID_INPUT']);
    expect(codesOf(await gql(t.url, t.b.keys.viewer, QUERY, { id, first: 2 }))).toContain(
      'CAMPAIGN_NOT_FOUND',
    );
  });
});
