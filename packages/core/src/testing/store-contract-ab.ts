import { expect, it } from 'vitest';
import { compareVariants } from '../ab/comparison.js';
import type { Counters } from '../domain/counters.js';
import { variantBucket } from '../domain/variant-bucket.js';
import { isQunfaError } from '../errors.js';
import type { AbDecision, CampaignPlan } from '../ports/store.js';
import {
  actor,
  at,
  claimAll,
  makePlan,
  seedCampaign,
  seedContacts,
  t0,
  transition,
} from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

const SEED = 12345;
const HOUR = 3_600_000;
/** Hold-out 20 %, A and B 20 % each, the rest 40 %. */
const split = {
  variants: [
    { id: '101', fromBucket: 2000, toBucket: 4000 },
    { id: '102', fromBucket: 4000, toBucket: 6000 },
  ],
  abTest: {
    holdout: { fromBucket: 0, toBucket: 2000 },
    rest: { fromBucket: 6000, toBucket: 10_000 },
    decideAt: at(HOUR),
  },
} satisfies Partial<CampaignPlan>;

type Group = 'holdout' | '101' | '102' | 'rest';
function groupOf(contactId: string): Group {
  const b = variantBucket(contactId, SEED);
  if (b < 2000) return 'holdout';
  if (b < 4000) return '101';
  if (b < 6000) return '102';
  return 'rest';
}

const ids = Array.from({ length: 60 }, (_, i) => String(i + 1));
/** Sendable contacts by group; contact 7 is unsubscribed, 8 has no address. */
const sendable = (group: Group) => ids.filter((id) => id !== '7' && id !== '8' && groupOf(id) === group);

async function startAbCampaign(h: StoreHarness) {
  await seedContacts(
    h,
    ids.map((id) => ({
      id,
      activeAt: Number(id) % 3 === 0 ? undefined : Number(id),
      ...(id === '7' ? { suppressions: ['unsubscribed' as const] } : {}),
      ...(id === '8' ? { kinds: [] } : {}),
    })),
  );
  await seedCampaign(h, {
    id: '1',
    variants: [
      { id: '101', key: 'A', weight: 1, content: { type: 'text', text: 'A' } },
      { id: '102', key: 'B', weight: 1, content: { type: 'text', text: 'B' } },
    ],
  });
  const plan = makePlan('1', { ...split, variantSeed: SEED });
  plan.channels[0]!.batchSize = 100;
  return h.store.startCampaign(transition('1', 'draft', 'running'), plan);
}

const comparison = compareVariants({
  metric: 'delivery_rate',
  variants: [
    { id: '101', key: 'A' },
    { id: '102', key: 'B' },
  ],
  countersByVariant: new Map(),
  holdout: 3,
});

function decision(overrides: Partial<AbDecision> = {}): AbDecision {
  return {
    workspaceId: '1',
    campaignId: '1',
    from: 'testing',
    comparison,
    recommendedVariantId: '101',
    winner: {
      variantId: '101',
      pacing: {
        channels: [{ channel: 'channel:a', batchSize: 3, accounts: ['x', 'y'] }],
        firstDueAt: at(HOUR),
        batchIntervalMs: 60_000,
      },
    },
    actor,
    at: at(HOUR),
    ...overrides,
  };
}

const sentOrFailed = (c: Counters) => ({
  sent: c.sent,
  failed: c.failed,
  recipients: c.total - c.suppressed,
});

/** A/B tests: hold-out, test sample and rest at planning; counts, decision and release of the rest. */
export function abTestContract(harness: () => StoreHarness): void {
  it('plans the hold-out as suppressed, the test by variant, and the rest waiting without a batch', async () => {
    const h = harness();
    const { summary, campaign } = await startAbCampaign(h);
    expect(sendable('holdout').length).toBeGreaterThan(3);
    expect(sendable('rest').length).toBeGreaterThan(3);
    expect(summary).toMatchObject({
      total: 60,
      queued: sendable('101').length + sendable('102').length,
      waiting: sendable('rest').length,
    });
    expect(summary.suppressed.ab_holdout).toBe(sendable('holdout').length);
    expect(summary.suppressed.unsubscribed).toBe(1);
    expect(summary.suppressed.no_address).toBe(1);
    expect(campaign.abState).toMatchObject({ phase: 'testing', decideAt: at(HOUR), winnerVariantId: null });
    expect(await h.store.counters('1')).toMatchObject({
      total: 60,
      waiting: sendable('rest').length,
      queued: summary.queued,
      suppressed: sendable('holdout').length + 2,
    });
    const recipients = (await claimAll(h)).flatMap((c) => c.recipients);
    expect(recipients.map((r) => [r.contactId, r.variantId]).sort()).toEqual(
      [...sendable('101').map((id) => [id, '101']), ...sendable('102').map((id) => [id, '102'])].sort(),
    );
  });

  it('counts the test by variant, lists the test once due, and does not complete before the decision', async () => {
    const h = harness();
    await startAbCampaign(h);
    const [batch] = await claimAll(h);
    await h.store.settleBatch({
      batchId: batch!.batch.id,
      leaseOwner: 'w1',
      at: at(1000),
      batchState: 'done',
      results: batch!.recipients.map((r) => ({
        deliveryId: r.deliveryId,
        state: r.variantId === '101' ? ('sent' as const) : ('failed' as const),
        ...(r.variantId === '101' ? {} : { failureClass: 'invalid_recipient' as const }),
      })),
    });
    const counts = await h.store.abTestCounts('1');
    expect(counts.holdout).toBe(sendable('holdout').length);
    const byId = new Map(counts.variants.map((v) => [v.variantId, sentOrFailed(v.counters)]));
    expect(byId.get('101')).toEqual({
      sent: sendable('101').length,
      failed: 0,
      recipients: sendable('101').length,
    });
    expect(byId.get('102')).toEqual({
      sent: 0,
      failed: sendable('102').length,
      recipients: sendable('102').length,
    });
    expect(counts.variants.find((v) => v.variantId === '102')?.counters.failedByClass.invalid_recipient).toBe(
      sendable('102').length,
    );
    expect(await h.store.abTestsDue(at(HOUR - 1), 10)).toEqual([]);
    expect(await h.store.abTestsDue(at(HOUR), 10)).toEqual([{ workspaceId: '1', campaignId: '1' }]);
    expect(await h.store.completeIfDone('1', at(2000))).toBeUndefined();
    expect((await h.store.getCampaign('1'))?.state).toBe('running');
  });

  it('releases the rest to the winner once: batched by activity, paced, seq after the test', async () => {
    const h = harness();
    await startAbCampaign(h);
    await claimAll(h);
    const rest = sendable('rest');
    const { campaign, batches } = await h.store.decideAbTest(decision());
    expect(batches).toBe(Math.ceil(rest.length / 3));
    expect(campaign.abState).toMatchObject({
      phase: 'decided',
      winnerVariantId: '101',
      recommendedVariantId: '101',
      decidedBy: actor,
      decidedAt: at(HOUR),
    });
    expect(campaign.abState?.comparison).toEqual(comparison);
    expect((await h.store.getCampaign('1'))?.abState).toEqual(campaign.abState);
    const again = h.store.decideAbTest(decision());
    await expect(again).rejects.toSatisfy((e) => isQunfaError(e, 'ILLEGAL_TRANSITION'));
    expect(await h.store.abTestsDue(at(10 * HOUR), 10)).toEqual([]);
    expect(await h.store.counters('1')).toMatchObject({ waiting: 0 });

    const claimed = await claimAll(h, 'w2');
    expect(claimed).toHaveLength(batches);
    const recipients = claimed.flatMap((c) => c.recipients);
    expect(recipients.every((r) => r.variantId === '101')).toBe(true);
    const activity = (id: string) => (Number(id) % 3 === 0 ? -Infinity : Number(id));
    const expected = [...rest].sort((a, b) => activity(b) - activity(a) || Number(a) - Number(b));
    expect(recipients.map((r) => r.contactId)).toEqual(expected);
    expect(claimed.map((c) => [c.batch.seq, c.batch.account, c.batch.dueAt.getTime()])).toEqual(
      claimed.map((_, n) => [1 + n, n % 2 === 0 ? 'x' : 'y', at(HOUR + n * 60_000).getTime()]),
    );
    for (const c of claimed) {
      await h.store.settleBatch({
        batchId: c.batch.id,
        leaseOwner: 'w2',
        at: at(2 * HOUR),
        batchState: 'done',
        results: c.recipients.map((r) => ({ deliveryId: r.deliveryId, state: 'sent' as const })),
      });
    }
  });

  it('lets exactly one of two concurrent decisions through', async () => {
    const h = harness();
    await startAbCampaign(h);
    const settled = await Promise.allSettled([
      h.store.decideAbTest(decision()),
      h.store.decideAbTest(decision()),
    ]);
    const won = settled.filter((r) => r.status === 'fulfilled');
    const lost = settled.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isQunfaError((lost[0] as PromiseRejectedResult).reason, 'ILLEGAL_TRANSITION')).toBe(true);
    const rest = (await claimAll(h)).filter((c) => c.batch.seq > 0).flatMap((c) => c.recipients);
    expect(rest).toHaveLength(sendable('rest').length);
    expect(await h.store.counters('1')).toMatchObject({ waiting: 0 });
  });

  it('records a comparison awaiting an operator, and sends nothing for a cancelled campaign', async () => {
    const h = harness();
    await startAbCampaign(h);
    const waiting = await h.store.decideAbTest(decision({ winner: null, recommendedVariantId: null }));
    expect(waiting.batches).toBe(0);
    expect(waiting.campaign.abState).toMatchObject({
      phase: 'awaiting_decision',
      winnerVariantId: null,
      decidedBy: null,
      decidedAt: null,
      comparison,
    });
    expect(await h.store.abTestsDue(at(10 * HOUR), 10)).toEqual([]);
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled', HOUR));
    const late = h.store.decideAbTest(decision({ from: 'awaiting_decision' }));
    await expect(late).rejects.toSatisfy((e) => isQunfaError(e, 'ILLEGAL_TRANSITION'));
    expect((await h.store.getCampaign('1'))?.abState?.phase).toBe('awaiting_decision');
    // The rest never gets a winner: it ends suppressed (cancelled), with the test's queued sends.
    const counters = await h.store.counters('1');
    expect(counters).toMatchObject({ waiting: 0, queued: 0 });
    expect(counters.suppressed).toBe(counters.total - counters.sent - counters.failed);
    expect(await h.store.dueBatches(at(100 * HOUR), 100)).toEqual([]);
  });

  it('plans a resend of an A/B campaign with each recipient keeping its variant', async () => {
    const h = harness();
    await startAbCampaign(h);
    const failAll = async (owner: string) => {
      for (const c of await claimAll(h, owner)) {
        await h.store.settleBatch({
          batchId: c.batch.id,
          leaseOwner: owner,
          at: at(2 * HOUR),
          batchState: 'done',
          results: c.recipients.map((r) => ({
            deliveryId: r.deliveryId,
            state: 'failed' as const,
            failureClass: 'network' as const,
          })),
        });
      }
    };
    await failAll('w1');
    await h.store.decideAbTest(decision());
    await failAll('w2');
    expect((await h.store.completeIfDone('1', at(3 * HOUR)))?.state).toBe('completed');
    await seedCampaign(h, {
      id: '2',
      resendOf: { campaignId: '1', states: ['failed'] },
      variants: [
        { id: '201', key: 'A', weight: 1, content: { type: 'text', text: 'A' } },
        { id: '202', key: 'B', weight: 1, content: { type: 'text', text: 'B' } },
      ],
    });
    const plan = makePlan('2', {
      variantSeed: SEED,
      variants: [
        { id: '201', fromBucket: 0, toBucket: 5000 },
        { id: '202', fromBucket: 5000, toBucket: 10_000 },
      ],
      restrictTo: {
        campaignId: '1',
        states: ['failed'],
        variants: [
          { sourceVariantId: '101', variantId: '201' },
          { sourceVariantId: '102', variantId: '202' },
        ],
      },
    });
    plan.channels[0]!.batchSize = 100;
    const { summary } = await h.store.startCampaign(transition('2', 'draft', 'running', 3 * HOUR), plan);
    const expected = [...sendable('101'), ...sendable('rest')].map((id) => [id, '201']);
    expected.push(...sendable('102').map((id) => [id, '202']));
    expect(summary.queued).toBe(expected.length);
    const recipients = (await claimAll(h, 'w3')).flatMap((c) => c.recipients);
    expect(recipients.map((r) => [r.contactId, r.variantId]).sort()).toEqual(expected.sort());
  });

  it('copies the A/B settings, not the state, into a run of a template', async () => {
    const h = harness();
    const abTest = {
      sampleSizePerVariant: null,
      testPercent: 20,
      holdoutPercent: 5,
      winnerMetric: 'open_rate' as const,
      decisionDelayMs: HOUR,
      winnerSelection: 'confirm' as const,
    };
    await seedCampaign(h, { id: '1', state: 'scheduled', schedule: { kind: 'triggered' }, abTest });
    const { campaign } = await h.store.createRun({ templateId: '1', key: 'k', name: 'run', at: t0, actor });
    expect(campaign.abTest).toEqual(abTest);
    expect(campaign.abState).toBeNull();
  });

  it('plans a campaign without a test as before: no waiting, no A/B state', async () => {
    const h = harness();
    await seedContacts(h, [{ id: '1' }, { id: '2' }]);
    await seedCampaign(h, { id: '1' });
    const { summary, campaign } = await h.store.startCampaign(
      transition('1', 'draft', 'running'),
      makePlan('1'),
    );
    expect(summary.waiting).toBe(0);
    expect(campaign.abState).toBeNull();
    expect(await h.store.abTestsDue(at(1000 * HOUR), 10)).toEqual([]);
  });
}
