import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { state audience excludeDormant segment { id name }
  counters { total queued suppressed } } }`;
const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id audience segment { id } excludeDormant } }`;
const UPDATE =
  'mutation($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { state } }';
const SAVE_SEGMENT =
  'mutation($id: ID, $n: String!, $a: JSON!) { saveSegment(id: $id, name: $n, audience: $a) { id } }';

interface CampaignView {
  state: string;
  audience: unknown;
  excludeDormant: boolean;
  segment: { id: string; name: string } | null;
  counters: { total: number; queued: number; suppressed: number };
}

async function waitFor(t: TestApp, id: string, state: string) {
  for (let i = 0; i < 400; i++) {
    if ((await t.app.deps.store.getCampaign(id))?.state === state) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`campaign ${id} never reached ${state}`);
}

describe.each(['pglite', 'postgres'] as const)('campaign audience options on %s', (driver) => {
  let t: TestApp;
  let op: string;
  let approver: string;
  let north: string;
  let south: string;
  const campaign = async (id: string) =>
    (await gqlOk<{ campaign: CampaignView }>(t.url, op, CAMPAIGN, { id })).campaign;
  const base = {
    variants: [{ key: 'A', content: { text: '周末见' } }],
    channelPlan: [{ channel: 'channel:sandbox' }],
    retryPolicy: { maxAttempts: 1 },
  };

  beforeAll(async () => {
    t = await startTestApp(driver);
    op = t.a.keys.operator;
    approver = t.a.keys.approver;
    const tag = async (name: string) =>
      (
        await gqlOk<{ createTag: { id: string } }>(
          t.url,
          op,
          'mutation($n: String!) { createTag(input: { name: $n }) { id } }',
          { n: name },
        )
      ).createTag.id;
    north = await tag('north');
    south = await tag('south');
    const now = Date.now();
    // 30 contacts tagged north (10 of them dormant: last active 40 days ago or never), 12 south.
    const input = Array.from({ length: 42 }, (_, i) => ({
      name: `c${i}`,
      identities: [{ kind: 'PHONE', value: `1390013${String(i).padStart(4, '0')}` }],
      lastActiveAt:
        i < 20
          ? new Date(now - (i % 5) * 86_400_000).toISOString()
          : i < 25
            ? null
            : new Date(now - 40 * 86_400_000).toISOString(),
      tagIds: i < 30 ? [north] : [south],
    }));
    await gqlOk(
      t.url,
      op,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input,
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('leaves dormant contacts out when the campaign asks, counted as suppressed: dormant', async () => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string; excludeDormant: boolean } }>(
      t.url,
      op,
      CREATE,
      { input: { name: 'active only', audience: { tag: north }, excludeDormant: true, ...base } },
    );
    expect(createCampaign.excludeDormant).toBe(true);
    await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: createCampaign.id });
    await waitFor(t, createCampaign.id, 'completed');
    const view = await campaign(createCampaign.id);
    expect(view.counters).toMatchObject({ total: 30, suppressed: 10 });
    const { campaign: withDeliveries } = await gqlOk<{
      campaign: { deliveries: { edges: { node: { state: string; suppressionReason: string | null } }[] } };
    }>(
      t.url,
      op,
      `query($id: ID!) { campaign(id: $id) { deliveries(states: [SUPPRESSED], first: 100) { edges { node { state suppressionReason } } } } }`,
      { id: createCampaign.id },
    );
    expect(withDeliveries.deliveries.edges.map((e) => e.node.suppressionReason)).toEqual(
      Array(10).fill('dormant'),
    );

    const { createCampaign: everyone } = await gqlOk<{ createCampaign: { id: string } }>(t.url, op, CREATE, {
      input: { name: 'everyone', audience: { tag: north }, ...base },
    });
    await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: everyone.id });
    await waitFor(t, everyone.id, 'completed');
    expect((await campaign(everyone.id)).counters).toMatchObject({ total: 30, suppressed: 0 });
  });

  it('follows its segment until it starts, then keeps the audience it started with', async () => {
    const { saveSegment } = await gqlOk<{ saveSegment: { id: string } }>(t.url, op, SAVE_SEGMENT, {
      n: `north-${driver}`,
      a: { tag: north },
    });
    const { createCampaign: draft } = await gqlOk<{
      createCampaign: { id: string; audience: unknown; segment: { id: string } };
    }>(t.url, op, CREATE, { input: { name: 'from a segment', segmentId: saveSegment.id, ...base } });
    expect(draft.audience).toEqual({ tag: north });
    expect(draft.segment.id).toBe(saveSegment.id);
    const { createCampaign: started } = await gqlOk<{ createCampaign: { id: string } }>(t.url, op, CREATE, {
      input: { name: 'started on the segment', segmentId: saveSegment.id, ...base },
    });
    await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: started.id });
    await waitFor(t, started.id, 'completed');

    await gqlOk(t.url, op, SAVE_SEGMENT, { id: saveSegment.id, n: `north-${driver}`, a: { tag: south } });
    expect((await campaign(draft.id)).audience).toEqual({ tag: south });
    const kept = await campaign(started.id);
    expect(kept.audience).toEqual({ tag: north });
    expect(kept.counters.total).toBe(30);

    await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: draft.id });
    await waitFor(t, draft.id, 'completed');
    expect((await campaign(draft.id)).counters.total).toBe(12);

    // An expression of its own detaches a campaign from the segment.
    const { createCampaign: detached } = await gqlOk<{ createCampaign: { id: string } }>(t.url, op, CREATE, {
      input: { name: 'detached', segmentId: saveSegment.id, ...base },
    });
    await gqlOk(t.url, op, UPDATE, { id: detached.id, input: { audience: { all: true } } });
    await gqlOk(t.url, op, SAVE_SEGMENT, { id: saveSegment.id, n: `north-${driver}`, a: { tag: north } });
    const view = await campaign(detached.id);
    expect(view.segment).toBeNull();
    expect(view.audience).toEqual({ all: true });
  });

  it('sends an approved campaign back through review when its segment is re-aimed', async () => {
    const { saveSegment } = await gqlOk<{ saveSegment: { id: string } }>(t.url, op, SAVE_SEGMENT, {
      n: `reviewed-${driver}`,
      a: { tag: south },
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, op, CREATE, {
      input: { name: 'reviewed', segmentId: saveSegment.id, ...base },
    });
    const id = createCampaign.id;
    await gqlOk(t.url, op, 'mutation($id: ID!) { submitCampaignForReview(id: $id) { state } }', { id });
    await gqlOk(t.url, approver, 'mutation($id: ID!) { approveCampaign(id: $id) { state } }', { id });
    expect((await campaign(id)).state).toBe('APPROVED');
    // Renaming changes no recipient: the approval stands.
    await gqlOk(t.url, op, SAVE_SEGMENT, {
      id: saveSegment.id,
      n: `reviewed-2-${driver}`,
      a: { tag: south },
    });
    expect((await campaign(id)).state).toBe('APPROVED');
    await gqlOk(t.url, op, SAVE_SEGMENT, {
      id: saveSegment.id,
      n: `reviewed-2-${driver}`,
      a: { tag: north },
    });
    const after = await campaign(id);
    expect(after.state).toBe('IN_REVIEW');
    expect(after.audience).toEqual({ tag: north });
  });

  it('refuses a bad audience choice with a typed error and writes nothing', async () => {
    const { saveSegment } = await gqlOk<{ saveSegment: { id: string } }>(t.url, op, SAVE_SEGMENT, {
      n: `bad-${driver}`,
      a: { tag: north },
    });
    const { saveSegment: other } = await gqlOk<{ saveSegment: { id: string } }>(
      t.url,
      t.b.keys.operator,
      SAVE_SEGMENT,
      { n: 'theirs', a: { all: true } },
    );
    const before = await rowCounts(t.app.deps.db);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'both', audience: { all: true }, segmentId: saveSegment.id, ...base }, 'INVALID_INPUT'],
      [{ name: 'neither', ...base }, 'INVALID_INPUT'],
      [{ name: 'foreign', segmentId: other.id, ...base }, 'NOT_FOUND'],
      [{ name: 'unknown', segmentId: '99999999', ...base }, 'NOT_FOUND'],
      [{ name: 'garbage', segmentId: 'x; drop', ...base }, 'NOT_FOUND'],
      [{ name: 'not a flag', audience: { all: true }, excludeDormant: 'yes', ...base }, 'BAD_USER_INPUT'],
    ];
    for (const [input, code] of cases) {
      const res = await gql(t.url, op, CREATE, { input });
      expect(codesOf(res), JSON.stringify(input)).toEqual([code]);
    }
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });
});
