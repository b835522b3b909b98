import { describe, expect, it } from 'vitest';
import type { CampaignState } from '../graphql/types.js';
import { actionsForState, isTerminal } from './campaign-actions.js';

describe('actionsForState', () => {
  const cases: [CampaignState, string[]][] = [
    ['DRAFT', ['start', 'cancel']],
    ['IN_REVIEW', ['cancel']],
    ['APPROVED', ['start', 'cancel']],
    ['SCHEDULED', ['cancel']],
    ['RUNNING', ['pause', 'cancel']],
    ['PAUSED', ['resume', 'cancel']],
    ['COMPLETED', []],
    ['CANCELLED', []],
    ['FAILED', []],
  ];

  it.each(cases)('%s → %j', (state, actions) => {
    expect(actionsForState(state)).toEqual(actions);
  });

  it('treats exactly the three end states as terminal', () => {
    expect(cases.filter(([state]) => isTerminal(state)).map(([state]) => state)).toEqual([
      'COMPLETED',
      'CANCELLED',
      'FAILED',
    ]);
  });
});
