import type { CampaignState } from '../graphql/types.js';
import { type ProgressSample, RATE_WINDOW_MS } from './finish-estimate.js';

/**
 * Whether a running campaign is sending now: recipients settled within the last rate window,
 * as this page saw them. Its wait reasons are then about some recipients, not the campaign.
 */
export function isMoving(state: CampaignState, samples: readonly ProgressSample[], nowMs: number): boolean {
  if (state !== 'RUNNING') return false;
  const last = samples.at(-1);
  if (!last) return false;
  const earlier = samples.find((s) => s.atMs >= nowMs - RATE_WINDOW_MS && s.settled < last.settled);
  return earlier !== undefined;
}
