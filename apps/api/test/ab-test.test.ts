import { type ChannelPlugin, defineChannel } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every message the channel was asked to send, by address and text. */
const sends: { address: string; text: string }[] = [];

/**
 * A channel on which variant B's message fails for 2 recipients in 5 and A's for 1 in 20, by
 * the recipient's number: B's delivery rate is clearly worse.
 */
const flaky = defineChannel({
  name: 'channel:flaky',
  options: z.object({}),
  create: (): Omit<ChannelPlugin, 'kind' | 'name'> => ({
    limits: {
      maxRecipientsPerSend: 50,
      contentTypes: ['text'],
      receipts: false,
      recall: false,
      idempotencyKeys: false,
    },
    identityKinds: ['email'],
    accounts: [],
    address: (identities) => identities.find((i) => i.kind === 'email')?.value,
    send: async (batch) =>
      batch.messages.map((m) => {
        sends.push({ address: m.address, text: m.content.text });
        const n = Number(/\d+/.exec(m.address)?.[0] ?? 0);
        const fails = m.content.text.startsWith('B') ? n % 5 < 2 : n % 20 === 0;
        return fails
          ? {
              id: m.id,
              status: 'failed' as const,
              failure: 'invalid_recipient' as const,
              error: 'no such user',
            }
          : { id: m.id, status: 'sent' as const, providerMessageId: `f-${m.id}` };
      }),
  }),
});

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id variants { id key } } }`;
const AB = `abTest {
  sampleSizePerVariant testPercent holdoutPercent winnerMetric decisionDelayMs winnerSelection
  phase decideAt recommendedVariantId winnerVariantId winnerKey decidedBy { kind id } decidedAt comparisonFinal
  comparison { metric leaderVariantId runnerUpVariantId difference pValue holdout
    variants { variantId key recipients trials successes rate }
    versusLeader { key difference z pValue }
    warnings { code message } }
}`;
const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { state counters { total waiting queued sent failed suppressed } ${AB} } }`;

interface AbView {
  testPercent: number | null;
  phase: string | null;
  winnerKey: string | null;
  winnerVariantId: string | null;
  recommendedVariantId: string | null;
  decidedBy: { kind: string; id: string } | null;
  comparisonFinal: boolean;
  decideAt: string | null;
  comparison: {
    leaderVariantId: string | null;
    difference: number | null;
    pValue: number | null;
    holdout: number;
    variants: {
      variantId: string;
      key: string;
      recipients: number;
      trials: number;
      successes: number;
      rate: number;
    }[];
    warnings: { code: string }[];
  } | null;
}
interface CampaignView {
  state: string;
  counters: Record<string, number>;
  abTest: AbView | null;
}

for (const driver of drivers) {
  describe(`A/B tests over GraphQL on ${driver}`, () => {
    let t: TestApp;
    let tagId: string;
    const key = () => t.a.keys.operator;
    const read = async (id: string) =>
      (await gqlOk<{ campaign: CampaignView }>(t.url, key(), CAMPAIGN, { id })).campaign;
    const input = (name: string, abTest: Record<string, unknown>, variants = ['A', 'B']) => ({
      name,
      audience: { tag: tagId },
      variants: variants.map((k) => ({ key: k, content: { text: `${k}: 新品上市 {{name}}` } })),
      channelPlan: [{ channel: 'channel:flaky' }],
      abTest,
    });

    beforeAll(async () => {
      t = await startTestApp(driver, {}, [flaky(), ...builtinMetrics()]);
      tagId = await seedTaggedContacts(t.url, key(), {
        tagName: 'ab',
        count: 600,
        identity: (i) => ({ kind: 'EMAIL', value: `u${i}@example.com` }),
      });
    }, 120_000);
    afterAll(async () => {
      await t?.stop();
    });

    it('refuses a test it cannot run, naming the field, and creates nothing', async () => {
      const one = await gql(t.url, key(), CREATE, { input: input('one', { testPercent: 20 }, ['A']) });
      expect(codesOf(one)).toEqual(['INVALID_INPUT']);
      expect(one.errors?.[0]?.extensions?.details?.field).toBe('variants');
      const four = await gql(t.url, key(), CREATE, {
        input: input('four', { testPercent: 20 }, ['A', 'B', 'C', 'D']),
      });
      expect(codesOf(four)).toEqual(['INVALID_INPUT']);
      const holdout = await gql(t.url, key(), CREATE, {
        input: input('holdout', { testPercent: 50, holdoutPercent: 60 }),
      });
      expect(holdout.errors?.[0]?.extensions?.details?.field).toBe('abTest.testPercent');
      const { campaigns } = await gqlOk<{ campaigns: { edges: unknown[] } }>(
        t.url,
        key(),
        '{ campaigns { edges { node { id } } } }',
      );
      expect(campaigns.edges).toHaveLength(0);
      // A sample larger than the audience is found at the start, and nothing starts.
      const big = await gqlOk<{ createCampaign: { id: string } }>(t.url, key(), CREATE, {
        input: input('big', { sampleSizePerVariant: 1000 }),
      });
      const start = await gql(t.url, key(), 'mutation($id: ID!) { startCampaign(id: $id) { state } }', {
        id: big.createCampaign.id,
      });
      expect(codesOf(start)).toEqual(['INVALID_INPUT']);
      expect(start.errors?.[0]?.extensions?.details?.field).toBe('abTest.sampleSizePerVariant');
      expect((await read(big.createCampaign.id)).state).toBe('DRAFT');

      // Edits: fewer variants than the test needs are refused; null removes the test.
      const UPDATE =
        'mutation($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }';
      const id = big.createCampaign.id;
      const oneVariant = await gql(t.url, key(), UPDATE, {
        id,
        input: { variants: [{ key: 'A', content: { text: 'A only' } }] },
      });
      expect(oneVariant.errors?.[0]?.extensions?.details?.field).toBe('variants');
      await gqlOk(t.url, key(), UPDATE, { id, input: { abTest: { testPercent: 30, holdoutPercent: 5 } } });
      expect((await read(id)).abTest).toMatchObject({
        sampleSizePerVariant: null,
        testPercent: 30,
        holdoutPercent: 5,
        winnerMetric: 'CLICK_RATE',
        winnerSelection: 'AUTO',
        decisionDelayMs: 4 * 3_600_000,
      });
      await gqlOk(t.url, key(), UPDATE, { id, input: { name: 'renamed' } });
      expect((await read(id)).abTest?.testPercent).toBe(30);
      await gqlOk(t.url, key(), UPDATE, { id, input: { abTest: null } });
      expect((await read(id)).abTest).toBeNull();
    });

    it('tests on a sample, then sends the variant with the better delivery rate to the rest', async () => {
      const { createCampaign } = await gqlOk<{
        createCampaign: { id: string; variants: { id: string; key: string }[] };
      }>(t.url, key(), CREATE, {
        input: input('auto', {
          testPercent: 50,
          holdoutPercent: 10,
          winnerMetric: 'DELIVERY_RATE',
          decisionDelayMs: 6000,
          winnerSelection: 'AUTO',
        }),
      });
      const id = createCampaign.id;
      const [a, b] = createCampaign.variants;
      const draft = await read(id);
      expect(draft.abTest).toMatchObject({
        phase: null,
        testPercent: 50,
        holdoutPercent: 10,
        comparison: null,
      });

      const before = Date.now();
      await gqlOk(t.url, key(), 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
      const started = await read(id);
      expect(started.state).toBe('RUNNING');
      expect(started.abTest?.phase).toBe('TESTING');
      expect(new Date(started.abTest!.decideAt!).getTime()).toBeGreaterThanOrEqual(before + 6000 - 1000);
      expect(started.counters.waiting).toBeGreaterThan(150);
      const waiting = started.counters.waiting!;

      await expect.poll(async () => (await read(id)).abTest?.phase, { timeout: 30_000 }).toBe('DECIDED');
      const decided = (await read(id)).abTest!;
      expect(decided).toMatchObject({
        winnerKey: 'A',
        winnerVariantId: a!.id,
        recommendedVariantId: a!.id,
        decidedBy: { kind: 'system', id: 'scheduler' },
        comparisonFinal: true,
      });
      const cmp = decided.comparison!;
      const [ra, rb] = cmp.variants;
      expect(ra).toMatchObject({ key: 'A', variantId: a!.id });
      expect(rb).toMatchObject({ key: 'B', variantId: b!.id });
      expect(ra!.rate).toBeGreaterThan(0.9);
      expect(rb!.rate).toBeLessThan(0.75);

      expect(cmp.difference).toBeCloseTo(ra!.rate - rb!.rate, 12);
      expect(cmp.pValue).toBeLessThan(0.001);
      // On a loaded machine the test sample may not all have gone out by the decision: then it says so.
      const warnings = cmp.warnings.map((w) => w.code);
      if (warnings.includes('TEST_INCOMPLETE'))
        expect(warnings).toEqual(['SAMPLE_BELOW_MINIMUM', 'TEST_INCOMPLETE']);
      else {
        expect(warnings).toEqual(['SAMPLE_BELOW_MINIMUM']);
        expect(ra!.trials).toBe(ra!.recipients);
        expect(rb!.trials).toBe(rb!.recipients);
      }

      await expect.poll(async () => (await read(id)).state, { timeout: 30_000 }).toBe('COMPLETED');
      const done = await read(id);
      expect(done.counters).toMatchObject({ total: 600, waiting: 0, queued: 0 });
      expect(done.counters.sent! + done.counters.failed!).toBe(600 - cmp.holdout);
      const byVariant = await rows<{ variant: string | null; reason: string | null; n: number }>(
        t.app.deps.db,
        sql`SELECT variant_id::text AS variant, suppression_reason AS reason, count(*)::int AS n
            FROM deliveries WHERE campaign_id = ${Number(id)}::bigint GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      expect(byVariant).toEqual([
        { variant: a!.id, reason: null, n: ra!.recipients + waiting },
        { variant: b!.id, reason: null, n: rb!.recipients },
        { variant: null, reason: 'ab_holdout', n: cmp.holdout },
      ]);
      // The hold-out reads back as suppressed deliveries, none of them ever sent.
      const { campaign } = await gqlOk<{
        campaign: {
          deliveries: { edges: { node: { suppressionReason: string; variantId: string | null } }[] };
        };
      }>(
        t.url,
        key(),
        'query($id: ID!) { campaign(id: $id) { deliveries(states: [SUPPRESSED], first: 200) { edges { node { suppressionReason variantId } } } } }',
        { id },
      );
      expect(campaign.deliveries.edges).toHaveLength(cmp.holdout);
      expect(
        campaign.deliveries.edges.every(
          (e) => e.node.suppressionReason === 'ab_holdout' && e.node.variantId === null,
        ),
      ).toBe(true);
      const audit = await rows<{ actor_kind: string }>(
        t.app.deps.db,
        sql`SELECT actor_kind FROM audit_log WHERE subject_id = ${id} AND action = 'campaign.ab_decided'`,
      );
      expect(audit).toEqual([{ actor_kind: 'system' }]);
    });

    it('waits for an operator in confirm mode, who picks a variant exactly once', async () => {
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string; variants: { id: string }[] } }>(
        t.url,
        key(),
        CREATE,
        {
          input: input('confirm', {
            testPercent: 40,
            winnerMetric: 'DELIVERY_RATE',
            decisionDelayMs: 4000,
            winnerSelection: 'CONFIRM',
          }),
        },
      );
      const id = createCampaign.id;
      const b = createCampaign.variants[1]!;
      const CONFIRM =
        'mutation($id: ID!, $v: ID) { confirmAbTestWinner(id: $id, variantId: $v) { state abTest { phase winnerKey decidedBy { kind } } } }';
      await gqlOk(t.url, key(), 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
      expect(codesOf(await gql(t.url, key(), CONFIRM, { id }))).toEqual(['ILLEGAL_TRANSITION']);
      await expect
        .poll(async () => (await read(id)).abTest?.phase, { timeout: 30_000 })
        .toBe('AWAITING_DECISION');
      const awaiting = await read(id);
      expect(awaiting.state).toBe('RUNNING');
      expect(awaiting.abTest?.recommendedVariantId).toBe(createCampaign.variants[0]!.id);
      const restSize = awaiting.counters.waiting!;
      expect(restSize).toBeGreaterThan(0);

      expect(codesOf(await gql(t.url, t.a.keys.viewer, CONFIRM, { id, v: b.id }))).toEqual(['FORBIDDEN']);
      expect(codesOf(await gql(t.url, t.b.keys.admin, CONFIRM, { id, v: b.id }))).toEqual([
        'CAMPAIGN_NOT_FOUND',
      ]);
      expect(codesOf(await gql(t.url, key(), CONFIRM, { id, v: '999999' }))).toEqual(['INVALID_INPUT']);
      expect((await read(id)).abTest?.phase).toBe('AWAITING_DECISION');

      const sentBefore = sends.length;
      const both = await Promise.all([
        gql(t.url, key(), CONFIRM, { id, v: b.id }),
        gql(t.url, key(), CONFIRM, { id, v: b.id }),
      ]);
      expect(both.map(codesOf).sort()).toEqual([[], ['ILLEGAL_TRANSITION']]);
      const ok = both.find((r) => !r.errors)!.data as {
        confirmAbTestWinner: { abTest: { winnerKey: string; decidedBy: { kind: string } } };
      };
      expect(ok.confirmAbTestWinner.abTest).toMatchObject({ winnerKey: 'B', decidedBy: { kind: 'api_key' } });

      await expect.poll(async () => (await read(id)).state, { timeout: 30_000 }).toBe('COMPLETED');
      const rest = sends.slice(sentBefore);
      expect(rest).toHaveLength(restSize);
      expect(rest.every((s) => s.text.startsWith('B:'))).toBe(true);
      expect(new Set(rest.map((s) => s.address)).size).toBe(restSize);
    });

    it('never sends the rest of a campaign cancelled while awaiting the decision', async () => {
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key(), CREATE, {
        input: input('cancel', {
          testPercent: 30,
          decisionDelayMs: 1000,
          winnerSelection: 'CONFIRM',
          winnerMetric: 'DELIVERY_RATE',
        }),
      });
      const id = createCampaign.id;
      await gqlOk(t.url, key(), 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
      await expect
        .poll(async () => (await read(id)).abTest?.phase, { timeout: 30_000 })
        .toBe('AWAITING_DECISION');
      await gqlOk(t.url, key(), 'mutation($id: ID!) { cancelCampaign(id: $id) { state } }', { id });
      const CONFIRM = 'mutation($id: ID!) { confirmAbTestWinner(id: $id) { state } }';
      expect(codesOf(await gql(t.url, key(), CONFIRM, { id }))).toEqual(['ILLEGAL_TRANSITION']);
      const cancelled = await read(id);
      expect(cancelled).toMatchObject({ state: 'CANCELLED', abTest: { phase: 'AWAITING_DECISION' } });
      // Only the test sample went out; the cancel ends the rest as suppressed (cancelled), and it stays so.
      expect(cancelled.counters.waiting).toBe(0);
      expect(cancelled.counters.suppressed).toBeGreaterThan(0);
      expect(cancelled.counters.sent! + cancelled.counters.failed!).toBe(
        600 - cancelled.counters.suppressed!,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await read(id)).counters).toEqual(cancelled.counters);
    });
  });
}
