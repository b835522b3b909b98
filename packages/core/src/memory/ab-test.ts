import type { AbTestState } from '../ab/ab-test.js';
import type { Campaign } from '../domain/campaign.js';
import { type Counters, counterFor, emptyCounters } from '../domain/counters.js';
import type { Delivery } from '../domain/delivery.js';
import { QunfaError } from '../errors.js';
import type { AbDecision, RestPacing } from '../ports/store.js';
import { byActivity } from './execute-plan.js';
import { audit, type MemoryTables } from './tables.js';

/** The state of a test that just started. */
export function testingState(decideAt: Date): AbTestState {
  return {
    phase: 'testing',
    decideAt,
    comparison: null,
    recommendedVariantId: null,
    winnerVariantId: null,
    decidedBy: null,
    decidedAt: null,
  };
}

export function abTestCounts(t: MemoryTables, campaignId: string) {
  const byVariant = new Map<string, Counters>();
  let holdout = 0;
  for (const d of t.deliveries.values()) {
    if (d.campaignId !== campaignId) continue;
    if (d.suppressionReason === 'ab_holdout') holdout++;
    if (d.variantId === null) continue;
    const counters = byVariant.get(d.variantId) ?? emptyCounters();
    byVariant.set(d.variantId, counters);
    counters.total++;
    counters[counterFor(d.state)]++;
    if (d.state === 'failed' && d.failureClass) counters.failedByClass[d.failureClass]++;
  }
  return { variants: [...byVariant].map(([variantId, counters]) => ({ variantId, counters })), holdout };
}

/** Batches the waiting rest for the winner: by channel in plan order, by activity, cut and timed as a plan. */
function releaseRest(
  t: MemoryTables,
  campaign: Campaign,
  variantId: string,
  pacing: RestPacing,
  at: Date,
): number {
  const waiting = [...t.deliveries.values()].filter(
    (d) => d.campaignId === campaign.id && d.state === 'waiting',
  );
  const activity = (d: Delivery) => t.contacts.get(d.contactId);
  const seqFrom =
    Math.max(-1, ...[...t.batches.values()].filter((b) => b.campaignId === campaign.id).map((b) => b.seq)) +
    1;
  const cut: { channel: string; account: string | null; members: Delivery[] }[] = [];
  for (const step of pacing.channels) {
    const members = waiting
      .filter((d) => d.channel === step.channel)
      .sort((a, b) => {
        const x = activity(a);
        const y = activity(b);
        return x && y ? byActivity(x, y) : 0;
      });
    const size = Math.max(1, step.batchSize);
    for (let from = 0, n = 0; from < members.length; from += size, n++) {
      const account = step.accounts.length > 0 ? (step.accounts[n % step.accounts.length] ?? null) : null;
      cut.push({ channel: step.channel, account, members: members.slice(from, from + size) });
    }
  }
  cut.forEach((c, n) => {
    const offset =
      pacing.spreadOverMs === undefined
        ? n * pacing.batchIntervalMs
        : cut.length <= 1
          ? 0
          : Math.floor((n * pacing.spreadOverMs) / (cut.length - 1));
    const id = t.nextId();
    t.batches.set(id, {
      id,
      workspaceId: campaign.workspaceId,
      campaignId: campaign.id,
      channel: c.channel,
      account: c.account,
      seq: seqFrom + n,
      state: 'queued',
      dueAt: new Date(pacing.firstDueAt.getTime() + offset),
      size: c.members.length,
      starts: 0,
      leaseOwner: null,
      leaseUntil: null,
      waitReason: null,
    });
    for (const d of c.members) Object.assign(d, { state: 'queued', variantId, batchId: id, updatedAt: at });
  });
  return cut.length;
}

/** `Store.decideAbTest` on the memory tables: compare-and-set on the phase, then record and release. */
export function decideAbTest(t: MemoryTables, decision: AbDecision): { campaign: Campaign; batches: number } {
  const campaign = t.campaigns.get(decision.campaignId);
  if (!campaign || campaign.workspaceId !== decision.workspaceId) {
    throw new QunfaError('CAMPAIGN_NOT_FOUND', 'no such campaign', {
      details: { campaignId: decision.campaignId },
    });
  }
  const state = campaign.abState;
  if (!state || state.phase !== decision.from) {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      `the A/B test is ${state?.phase ?? 'not started'}, not ${decision.from}`,
      {
        details: { phase: state?.phase ?? null, expected: decision.from },
      },
    );
  }
  const winner = decision.winner;
  if (winner && campaign.state !== 'running' && campaign.state !== 'paused') {
    throw new QunfaError('ILLEGAL_TRANSITION', `a ${campaign.state} campaign sends no winner`, {
      details: { from: campaign.state },
    });
  }
  if (winner && !campaign.variants.some((v) => v.id === winner.variantId)) {
    throw new QunfaError('INVALID_INPUT', `variant ${winner.variantId} is not one of the campaign's`, {
      details: { field: 'variantId' },
    });
  }
  const batches = winner ? releaseRest(t, campaign, winner.variantId, winner.pacing, decision.at) : 0;
  campaign.abState = {
    ...state,
    phase: winner ? 'decided' : 'awaiting_decision',
    comparison: decision.comparison,
    recommendedVariantId: decision.recommendedVariantId,
    winnerVariantId: winner?.variantId ?? null,
    decidedBy: winner ? decision.actor : null,
    decidedAt: winner ? decision.at : null,
  };
  campaign.updatedAt = decision.at;
  audit(t, decision.at, campaign, decision.actor, winner ? 'ab_decided' : 'ab_awaiting_decision', {
    winnerVariantId: winner?.variantId ?? null,
    recommendedVariantId: decision.recommendedVariantId,
    pValue: decision.comparison.pValue,
    batches,
  });
  return { campaign, batches };
}
