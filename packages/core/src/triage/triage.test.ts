import { describe, expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import { FakeClock } from '../memory/clock.js';
import { replyActionsFor } from './reply-actions.js';
import { defaultTriagePolicy, triageOf, triagePolicyWith } from './triage-policy.js';
import { isOverdue, triageTransition } from './triage-status.js';

const at = new Date('2025-03-01T02:00:00Z');

describe('triage policy', () => {
  it('gives complaints 15 minutes and consultations 30 by default, noise none', () => {
    const policy = defaultTriagePolicy();
    expect(triageOf('complaint', at, policy)).toEqual({
      priority: 'urgent',
      dueAt: new Date('2025-03-01T02:15:00Z'),
    });
    expect(triageOf('consultation', at, policy).dueAt).toEqual(new Date('2025-03-01T02:30:00Z'));
    expect(triageOf('noise', at, policy)).toEqual({ priority: 'low', dueAt: null });
  });

  it('takes a workspace’s overrides and refuses bad ones, naming the field', () => {
    const policy = triagePolicyWith({ complaint: { replyWithinMinutes: 5 }, other: { priority: 'low' } });
    expect(triageOf('complaint', at, policy).dueAt).toEqual(new Date('2025-03-01T02:05:00Z'));
    expect(policy.classes.other.priority).toBe('low');
    expect(triagePolicyWith({ consultation: { replyWithinMinutes: null } }).classes.consultation).toEqual({
      priority: 'high',
      replyWithinMinutes: null,
    });
    for (const [bad, field] of [
      [{ complaint: { replyWithinMinutes: 0 } }, 'complaint.replyWithinMinutes'],
      [{ complaint: { replyWithinMinutes: 1.5 } }, 'complaint.replyWithinMinutes'],
      [{ complaint: { replyWithinMinutes: 20_000 } }, 'complaint.replyWithinMinutes'],
      [{ complaint: { priority: 'soon' } }, 'complaint.priority'],
      [{ gossip: { priority: 'low' } }, 'gossip'],
    ] as const) {
      try {
        triagePolicyWith(bad as never);
        expect.unreachable();
      } catch (error) {
        expect(isQunfaError(error, 'INVALID_INPUT')).toBe(true);
        expect((error as { details: { field: string } }).details.field).toBe(field);
      }
    }
  });
});

describe('triage status', () => {
  it('moves new → assigned → replied → resolved and refuses the rest', () => {
    expect(triageTransition('new', 'assign')).toBe('assigned');
    expect(triageTransition('assigned', 'reply')).toBe('replied');
    expect(triageTransition('replied', 'resolve')).toBe('resolved');
    expect(triageTransition('resolved', 'reopen')).toBe('assigned');
    expect(() => triageTransition('resolved', 'reply')).toThrow(/resolved/);
    expect(() => triageTransition('new', 'unassign')).toThrow(/new/);
  });

  it('flags an unanswered item overdue once its deadline passes on a fake clock', async () => {
    const clock = new FakeClock(at);
    const item = { status: 'new' as const, ...triageOf('complaint', clock.now(), defaultTriagePolicy()) };
    await clock.advance(14 * 60_000 + 59_999);
    expect(isOverdue(item, clock.now())).toBe(false);
    await clock.advance(1);
    expect(isOverdue(item, clock.now())).toBe(true);
    expect(isOverdue({ ...item, status: 'assigned' }, clock.now())).toBe(true);
    expect(isOverdue({ ...item, status: 'replied' }, clock.now())).toBe(false);
    expect(isOverdue({ ...item, status: 'resolved' }, clock.now())).toBe(false);
    expect(isOverdue({ status: 'new', dueAt: null }, clock.now())).toBe(false);
  });
});

describe('reply actions', () => {
  it('suppresses complainers and unsubscribers, opts the uninterested out, follows up the interested', () => {
    expect(replyActionsFor('complaint')).toMatchObject({ suppress: 'complained', evidence: true });
    expect(replyActionsFor('unsubscribe')).toMatchObject({ suppress: 'unsubscribed', evidence: false });
    expect(replyActionsFor('not_interested')).toMatchObject({ optOutOfCampaign: true, followUp: false });
    expect(replyActionsFor('interested')).toMatchObject({ followUp: true, optOutOfCampaign: false });
    expect(replyActionsFor('noise')).toEqual({ evidence: false, optOutOfCampaign: false, followUp: false });
  });
});
