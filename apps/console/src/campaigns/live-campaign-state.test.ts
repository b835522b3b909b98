import { describe, expect, it } from 'vitest';
import type { CampaignDetail, Counters } from '../graphql/types.js';
import { campaignFixture } from './campaign-fixture.js';
import { INITIAL_LIVE_STATE, type LiveCampaignAction, reduceLiveCampaign } from './live-campaign-state.js';

function counters(settled: number): Counters {
  return {
    total: 10,
    waiting: 0,
    queued: 10 - settled,
    submitted: 0,
    awaitingConfirmation: 0,
    sent: settled,
    delivered: 0,
    read: 0,
    clicked: 0,
    failed: 0,
    suppressed: 0,
    filtered: 0,
    uncertain: 0,
    settled,
    failedByClass: [],
  };
}

function campaign(
  settled: number,
  updatedAt: string,
  state: CampaignDetail['state'] = 'RUNNING',
): CampaignDetail {
  return campaignFixture({ state, counters: counters(settled), updatedAt });
}

describe('reduceLiveCampaign', () => {
  it('starts from the read, then follows events, ignoring a late one', () => {
    let state = reduceLiveCampaign(INITIAL_LIVE_STATE, {
      type: 'read',
      campaign: campaign(2, '2025-03-01T08:00:00Z'),
    });
    expect(state.snapshot?.counters.sent).toBe(2);
    const event = (settled: number, at: string): LiveCampaignAction => ({
      type: 'event',
      snapshot: { state: 'RUNNING', counters: counters(settled), metrics: [], waiting: [], at },
    });
    state = reduceLiveCampaign(state, event(5, '2025-03-01T08:00:02Z'));
    const before = state;
    state = reduceLiveCampaign(state, event(4, '2025-03-01T08:00:01Z'));
    expect(state).toBe(before);
    expect(state.snapshot?.counters.sent).toBe(5);
  });

  it('takes a mutation result newer than the events', () => {
    let state = reduceLiveCampaign(INITIAL_LIVE_STATE, {
      type: 'read',
      campaign: campaign(5, '2025-03-01T08:00:00Z'),
    });
    state = reduceLiveCampaign(state, {
      type: 'read',
      campaign: campaign(6, '2025-03-01T08:00:09Z', 'PAUSED'),
    });
    expect(state.snapshot?.state).toBe('PAUSED');
  });

  it('keeps the page when only the subscription fails, and clears read errors on success', () => {
    let state = reduceLiveCampaign(INITIAL_LIVE_STATE, { type: 'read-failed', codes: ['NETWORK_ERROR'] });
    expect(state.codes).toEqual(['NETWORK_ERROR']);
    state = reduceLiveCampaign(state, { type: 'read', campaign: campaign(1, '2025-03-01T08:00:00Z') });
    expect(state.codes).toEqual([]);
    state = reduceLiveCampaign(state, { type: 'live', live: false, codes: ['FORBIDDEN'] });
    expect(state.liveCodes).toEqual(['FORBIDDEN']);
    expect(state.snapshot).not.toBeNull();
    const live = reduceLiveCampaign(state, { type: 'live', live: true, codes: [] });
    expect(reduceLiveCampaign(live, { type: 'live', live: true, codes: [] })).toBe(live);
  });
});
