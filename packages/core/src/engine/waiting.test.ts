import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../domain/counters.js';
import { makeCampaign } from '../testing/fixtures.js';
import { describeWaiting } from './waiting.js';

const t = (h: number) => new Date(Date.UTC(2026, 4, 1, h));
const iso = (h: number) => t(h).toISOString();

describe('describeWaiting', () => {
  it('names each reason with its count and times, channel reasons per channel, a rule by its own reason', () => {
    const campaign = makeCampaign({ id: '1', state: 'running' });
    const counters = { ...emptyCounters(), awaitingConfirmation: 4 };
    const waiting = describeWaiting(campaign, counters, [
      { reason: 'quiet_hours', channel: 'channel:a', recipients: 10, firstDueAt: t(8), lastDueAt: t(9) },
      { reason: 'quiet_hours', channel: 'channel:b', recipients: 5, firstDueAt: t(7), lastDueAt: t(8) },
      { reason: null, channel: 'channel:a', recipients: 100, firstDueAt: t(1), lastDueAt: t(3) },
      { reason: 'quota_reached', channel: 'channel:a', recipients: 2, firstDueAt: t(16), lastDueAt: t(16) },
      { reason: 'quota_reached', channel: 'channel:b', recipients: 3, firstDueAt: t(16), lastDueAt: t(16) },
      { reason: 'holiday', channel: 'channel:a', recipients: 1, firstDueAt: t(20), lastDueAt: t(20) },
    ]);
    expect(waiting).toEqual([
      { reason: 'pacing', count: 100, until: iso(1), lastUntil: iso(3), detail: null },
      { reason: 'quiet_hours', count: 15, until: iso(7), lastUntil: iso(9), detail: null },
      { reason: 'quota_reached', count: 2, until: iso(16), lastUntil: iso(16), detail: 'channel:a' },
      { reason: 'quota_reached', count: 3, until: iso(16), lastUntil: iso(16), detail: 'channel:b' },
      { reason: 'rule', count: 1, until: iso(20), lastUntil: iso(20), detail: 'holiday' },
      { reason: 'awaiting_confirmation', count: 4, until: null, lastUntil: null, detail: null },
    ]);
  });

  it('says a scheduled campaign waits for its time and an A/B rest for the decision', () => {
    const scheduled = makeCampaign({ id: '1', state: 'scheduled', scheduledAt: t(10) });
    expect(describeWaiting(scheduled, emptyCounters(), [])).toEqual([
      { reason: 'schedule', count: null, until: iso(10), lastUntil: iso(10), detail: null },
    ]);
    const testing = makeCampaign({
      id: '2',
      state: 'running',
      abState: {
        phase: 'testing',
        decideAt: t(12),
        comparison: null,
        recommendedVariantId: null,
        winnerVariantId: null,
        decidedBy: null,
        decidedAt: null,
      },
    });
    expect(describeWaiting(testing, { ...emptyCounters(), waiting: 900 }, [])).toEqual([
      { reason: 'ab_test_decision', count: 900, until: iso(12), lastUntil: iso(12), detail: null },
    ]);
  });

  it('is empty once the campaign ended', () => {
    const done = makeCampaign({ id: '1', state: 'cancelled' });
    const batch = { reason: 'quiet_hours', channel: 'c', recipients: 1, firstDueAt: t(1), lastDueAt: t(1) };
    expect(describeWaiting(done, { ...emptyCounters(), awaitingConfirmation: 1 }, [batch])).toEqual([]);
  });
});
