/** A campaign as the API returns it, for tests: every field present, overridable. */
import type { CampaignDetail, Counters } from '../graphql/types.js';

export function countersFixture(overrides: Partial<Counters> = {}): Counters {
  return {
    total: 0,
    waiting: 0,
    queued: 0,
    submitted: 0,
    awaitingConfirmation: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    failed: 0,
    suppressed: 0,
    filtered: 0,
    uncertain: 0,
    settled: 0,
    failedByClass: [],
    ...overrides,
  };
}

export function campaignFixture(overrides: Partial<CampaignDetail> = {}): CampaignDetail {
  return {
    id: 'c1',
    name: '双十一',
    state: 'DRAFT',
    audience: { all: true },
    excludeDormant: false,
    batchIntervalMs: 0,
    sendWindowMs: null,
    counters: countersFixture(),
    metrics: [],
    waiting: [],
    variants: [],
    channelMode: 'FIRST',
    channelPlan: [],
    quietHours: { enabled: false, mode: 'INHERIT', start: null, end: null },
    segment: null,
    resendOf: null,
    runOf: null,
    review: null,
    findings: [],
    createdAt: '2025-03-01T07:00:00.000Z',
    updatedAt: '2025-03-01T07:00:00.000Z',
    scheduledAt: null,
    startedAt: null,
    finishedAt: null,
    abTest: null,
    ...overrides,
  };
}
