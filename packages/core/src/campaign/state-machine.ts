import type { CampaignState } from '../domain/campaign.js';
import { QunfaError } from '../errors.js';

/** What an operator, a worker or the scheduler can ask of a campaign. */
export const campaignCommands = [
  'submitForReview',
  'approve',
  'reject',
  'edit',
  'schedule',
  'start',
  'pause',
  'resume',
  'complete',
  'fail',
  'cancel',
] as const;
export type CampaignCommand = (typeof campaignCommands)[number];

/** States a campaign never leaves. */
export const terminalCampaignStates: ReadonlySet<CampaignState> = new Set([
  'completed',
  'cancelled',
  'failed',
]);

const transitions: Record<CampaignCommand, { from: readonly CampaignState[]; to: CampaignState }> = {
  submitForReview: { from: ['draft'], to: 'in_review' },
  approve: { from: ['in_review'], to: 'approved' },
  reject: { from: ['in_review'], to: 'draft' },
  edit: { from: ['in_review', 'approved'], to: 'draft' },
  schedule: { from: ['draft', 'approved'], to: 'scheduled' },
  start: { from: ['draft', 'approved', 'scheduled'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  fail: { from: ['running', 'paused'], to: 'failed' },
  cancel: { from: ['draft', 'in_review', 'approved', 'scheduled', 'running', 'paused'], to: 'cancelled' },
};

export function canTransition(state: CampaignState, command: CampaignCommand): boolean {
  return transitions[command].from.includes(state);
}

/** The state a command leads to from `state`; ILLEGAL_TRANSITION when it is not allowed. */
export function transitionFor(state: CampaignState, command: CampaignCommand): CampaignState {
  if (!canTransition(state, command)) {
    throw new QunfaError('ILLEGAL_TRANSITION', `cannot ${command} a campaign that is ${state}`, {
      details: { from: state, command },
    });
  }
  return transitions[command].to;
}

/** Whether some command leads from `from` to `to`: how a store double-checks a transition it is given. */
export function isLegalTransition(from: CampaignState, to: CampaignState): boolean {
  return campaignCommands.some((c) => transitions[c].to === to && transitions[c].from.includes(from));
}
