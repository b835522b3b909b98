import type { CampaignState } from '../graphql/types.js';

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

export const TERMINAL_STATES: ReadonlySet<CampaignState> = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** The buttons an operator sees in `state`, in display order. The API still decides. */
export function actionsForState(state: CampaignState): CampaignAction[] {
  const actions: CampaignAction[] = [];
  if (state === 'DRAFT' || state === 'APPROVED') actions.push('start');
  if (state === 'RUNNING') actions.push('pause');
  if (state === 'PAUSED') actions.push('resume');
  if (!TERMINAL_STATES.has(state)) actions.push('cancel');
  return actions;
}

export function isTerminal(state: CampaignState): boolean {
  return TERMINAL_STATES.has(state);
}
