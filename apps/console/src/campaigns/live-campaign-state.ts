import type { CampaignDetail } from '../graphql/types.js';
import {
  mergeCampaignRead,
  mergeProgress,
  type ProgressSnapshot,
  snapshotFromCampaign,
} from './merge-progress.js';

/** What the campaign page holds; see `useLiveCampaign`. */
export interface LiveCampaignState {
  /** The campaign as last read; its counters are superseded by `snapshot`. */
  campaign: CampaignDetail | null;
  /** Counters, metrics and state as shown: the newest of the reads and events. */
  snapshot: ProgressSnapshot | null;
  /** Error codes of the page's query (the page cannot be shown). */
  codes: string[];
  /** Error codes of the subscription (the page is shown without live updates). */
  liveCodes: string[];
  /** Whether progress events are being followed. */
  live: boolean;
}

export type LiveCampaignAction =
  | { type: 'read'; campaign: CampaignDetail }
  | { type: 'read-failed'; codes: string[] }
  | { type: 'event'; snapshot: ProgressSnapshot }
  | { type: 'live'; live: boolean; codes: string[] };

export const INITIAL_LIVE_STATE: LiveCampaignState = {
  campaign: null,
  snapshot: null,
  codes: [],
  liveCodes: [],
  live: false,
};

export function reduceLiveCampaign(state: LiveCampaignState, action: LiveCampaignAction): LiveCampaignState {
  switch (action.type) {
    case 'read':
      return {
        ...state,
        campaign: action.campaign,
        snapshot: mergeCampaignRead(state.snapshot, snapshotFromCampaign(action.campaign)),
        codes: [],
      };
    case 'read-failed':
      return { ...state, codes: action.codes };
    case 'event': {
      const snapshot = mergeProgress(state.snapshot, action.snapshot);
      return snapshot === state.snapshot ? state : { ...state, snapshot };
    }
    case 'live':
      if (state.live === action.live && state.liveCodes.length === 0 && action.codes.length === 0)
        return state;
      return { ...state, live: action.live, liveCodes: action.codes };
  }
}
