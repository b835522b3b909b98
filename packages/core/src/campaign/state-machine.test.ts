import { describe, expect, it } from 'vitest';
import { type CampaignState, campaignStates } from '../domain/campaign.js';
import { isQunfaError } from '../errors.js';
import {
  type CampaignCommand,
  campaignCommands,
  canTransition,
  isLegalTransition,
  terminalCampaignStates,
  transitionFor,
} from './state-machine.js';

const expected: Partial<Record<CampaignState, Partial<Record<CampaignCommand, CampaignState>>>> = {
  draft: { submitForReview: 'in_review', schedule: 'scheduled', start: 'running', cancel: 'cancelled' },
  in_review: { approve: 'approved', reject: 'draft', edit: 'draft', cancel: 'cancelled' },
  approved: { edit: 'draft', schedule: 'scheduled', start: 'running', cancel: 'cancelled' },
  scheduled: { start: 'running', cancel: 'cancelled' },
  running: { pause: 'paused', complete: 'completed', fail: 'failed', cancel: 'cancelled' },
  paused: { resume: 'running', fail: 'failed', cancel: 'cancelled' },
  completed: {},
  cancelled: {},
  failed: {},
};

describe('campaign state machine', () => {
  for (const state of campaignStates) {
    for (const command of campaignCommands) {
      const target = expected[state]?.[command];
      if (target) {
        it(`${command} from ${state} → ${target}`, () => {
          expect(canTransition(state, command)).toBe(true);
          expect(transitionFor(state, command)).toBe(target);
          expect(isLegalTransition(state, target)).toBe(true);
        });
      } else {
        it(`${command} from ${state} is illegal`, () => {
          expect(canTransition(state, command)).toBe(false);
          try {
            transitionFor(state, command);
            expect.unreachable();
          } catch (error) {
            expect(isQunfaError(error, 'ILLEGAL_TRANSITION')).toBe(true);
            expect((error as { details: unknown }).details).toEqual({ from: state, command });
          }
        });
      }
    }
  }

  it('terminal states allow nothing', () => {
    for (const state of terminalCampaignStates) {
      expect(campaignCommands.filter((c) => canTransition(state, c))).toEqual([]);
      for (const to of campaignStates) expect(isLegalTransition(state, to)).toBe(false);
    }
  });
});
