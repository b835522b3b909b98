import { describe, expect, it } from 'vitest';
import type { CampaignState, Counters } from '../graphql/types.js';
import { campaignFixture } from './campaign-fixture.js';
import {
  mergeCampaignRead,
  mergeProgress,
  type ProgressSnapshot,
  snapshotFromCampaign,
  snapshotFromEvent,
} from './merge-progress.js';

function counters(settled: number, extra: Partial<Counters> = {}): Counters {
  return {
    total: 100,
    waiting: 0,
    queued: 100 - settled,
    submitted: 0,
    awaitingConfirmation: 0,
    sent: settled,
    delivered: settled,
    read: 0,
    clicked: 0,
    failed: 0,
    suppressed: 0,
    filtered: 0,
    uncertain: 0,
    settled,
    failedByClass: [],
    ...extra,
  };
}

function snap(at: string, settled: number, state: CampaignState = 'RUNNING'): ProgressSnapshot {
  return { state, counters: counters(settled), metrics: [], waiting: [], at };
}

describe('mergeProgress', () => {
  it('takes the first snapshot as it is', () => {
    const first = snap('2025-03-01T08:00:00.000Z', 10);
    expect(mergeProgress(null, first)).toBe(first);
  });

  it('takes a newer event', () => {
    const current = snap('2025-03-01T08:00:00.000Z', 10);
    const next = snap('2025-03-01T08:00:01.000Z', 20);
    expect(mergeProgress(current, next)).toBe(next);
  });

  it('ignores an event that arrives after a newer one', () => {
    const newer = snap('2025-03-01T08:00:02.000Z', 30);
    const late = snap('2025-03-01T08:00:01.000Z', 20);
    expect(mergeProgress(newer, late)).toBe(newer);
  });

  it('never moves counters backwards whatever the arrival order', () => {
    const events = [1, 2, 3, 4, 5, 6].map((second) => snap(`2025-03-01T08:00:0${second}.000Z`, second * 10));
    const arrival = [events[0]!, events[2]!, events[1]!, events[5]!, events[3]!, events[4]!];
    let state: ProgressSnapshot | null = null;
    const shown: number[] = [];
    for (const event of arrival) {
      state = mergeProgress(state, event);
      shown.push(state.counters.sent);
    }
    expect(shown).toEqual([10, 30, 30, 60, 60, 60]);
  });

  it('compares instants, not strings (time-zone offsets)', () => {
    const utc = snap('2025-03-01T08:00:00.000Z', 10);
    const beijing = snap('2025-03-01T16:00:01+08:00', 20);
    expect(mergeProgress(utc, beijing)).toBe(beijing);
  });

  it('lets a newer snapshot lower a counter that legitimately falls', () => {
    const before = { ...snap('2025-03-01T08:00:00.000Z', 50), counters: counters(50, { failed: 5 }) };
    const resent = { ...snap('2025-03-01T08:00:05.000Z', 45), counters: counters(45, { failed: 0 }) };
    expect(mergeProgress(before, resent).counters.failed).toBe(0);
  });

  it('on a tie keeps the snapshot with more settled recipients', () => {
    const a = snap('2025-03-01T08:00:00.000Z', 10);
    const b = snap('2025-03-01T08:00:00.000Z', 12);
    expect(mergeProgress(a, b)).toBe(b);
    expect(mergeProgress(b, a)).toBe(b);
    const duplicate = snap('2025-03-01T08:00:00.000Z', 10);
    expect(mergeProgress(a, duplicate)).toBe(a);
  });

  it('carries the state of the newer event', () => {
    const running = snap('2025-03-01T08:00:00.000Z', 99);
    const done = snap('2025-03-01T08:00:01.000Z', 100, 'COMPLETED');
    expect(mergeProgress(running, done).state).toBe('COMPLETED');
    expect(mergeProgress(done, running).state).toBe('COMPLETED');
  });
});

describe('mergeCampaignRead', () => {
  it('takes a read at least as new as what is shown', () => {
    const shown = snap('2025-03-01T08:00:00.000Z', 40);
    const read = snap('2025-03-01T08:00:00.000Z', 38);
    expect(mergeCampaignRead(shown, read)).toBe(read);
    expect(mergeCampaignRead(null, read)).toBe(read);
  });

  it('takes a read with a stale updatedAt that has caught up, keeping the event time', () => {
    const shown = snap('2025-03-01T08:05:00.000Z', 40);
    const read = snap('2025-03-01T08:00:00.000Z', 70);
    const merged = mergeCampaignRead(shown, read);
    expect(merged.counters.settled).toBe(70);
    expect(merged.at).toBe('2025-03-01T08:05:00.000Z');
    expect(mergeProgress(merged, snap('2025-03-01T08:04:00.000Z', 50))).toBe(merged);
  });

  it('keeps a newer event that has seen more than a read with a stale updatedAt', () => {
    const shown = snap('2025-03-01T08:05:00.000Z', 80);
    expect(mergeCampaignRead(shown, snap('2025-03-01T08:00:00.000Z', 70))).toBe(shown);
  });
});

describe('snapshots', () => {
  it('uses updatedAt for a campaign and at for an event', () => {
    const c = counters(1);
    const fromCampaign = snapshotFromCampaign(
      campaignFixture({ state: 'PAUSED', counters: c, updatedAt: '2025-03-01T08:00:00.000Z' }),
    );
    expect(fromCampaign).toEqual({
      state: 'PAUSED',
      counters: c,
      metrics: [],
      waiting: [],
      at: '2025-03-01T08:00:00.000Z',
    });
    const fromEvent = snapshotFromEvent({
      campaignId: 'c1',
      state: 'RUNNING',
      counters: c,
      metrics: [],
      waiting: [],
      at: 'x',
    });
    expect(fromEvent.at).toBe('x');
  });
});
