import { describe, expect, it } from 'vitest';
import { pickSender, type ReachCandidate } from './reach.js';

const c = (account: string, added: string, extra: Partial<ReachCandidate> = {}): ReachCandidate => ({
  account,
  addedAt: new Date(`${added}T00:00:00Z`),
  ...extra,
});

describe('pickSender', () => {
  it('takes the one who added the contact first when no talk is known', () => {
    expect(pickSender([c('lisi', '2024-05-01'), c('zhangsan', '2023-01-09')])).toEqual({
      account: 'zhangsan',
      reason: 'added them first (2023-01-09)',
    });
  });

  it('prefers the one who last talked with them', () => {
    const talked = new Date('2025-02-01T08:00:00Z');
    expect(
      pickSender([c('zhangsan', '2023-01-09'), c('lisi', '2024-05-01', { lastTalkAt: talked })]),
    ).toEqual({ account: 'lisi', reason: 'last talked with them (2025-02-01)' });
  });

  it('an operator pin wins when the pinned account has the contact, in pin order', () => {
    const candidates = [c('zhangsan', '2023-01-09'), c('lisi', '2024-05-01'), c('wangwu', '2024-06-01')];
    expect(pickSender(candidates, ['nobody', 'wangwu', 'lisi'])).toEqual({
      account: 'wangwu',
      reason: 'pinned by the operator',
    });
  });

  it('never uses a removed relation; none left → undefined', () => {
    expect(
      pickSender([c('zhangsan', '2023-01-09', { removed: true }), c('lisi', '2024-05-01')])?.account,
    ).toBe('lisi');
    expect(pickSender([c('zhangsan', '2023-01-09', { removed: true })], ['zhangsan'])).toBeUndefined();
    expect(pickSender([])).toBeUndefined();
  });

  it('breaks ties by account name, so the choice is stable', () => {
    expect(pickSender([c('b', '2024-01-01'), c('a', '2024-01-01')])?.account).toBe('a');
  });
});
