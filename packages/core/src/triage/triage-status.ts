import { QunfaError } from '../errors.js';

/** Where an inbox item is: new, assigned to someone, replied to, resolved (closed). */
export const triageStatuses = ['new', 'assigned', 'replied', 'resolved'] as const;
export type TriageStatus = (typeof triageStatuses)[number];

export type TriageAction = 'assign' | 'unassign' | 'reply' | 'resolve' | 'reopen';

const transitions: Record<TriageAction, Partial<Record<TriageStatus, TriageStatus>>> = {
  assign: { new: 'assigned', assigned: 'assigned', replied: 'replied' },
  unassign: { assigned: 'new' },
  // A second answer in the same conversation is allowed: the item stays replied.
  reply: { new: 'replied', assigned: 'replied', replied: 'replied' },
  resolve: { new: 'resolved', assigned: 'resolved', replied: 'resolved' },
  reopen: { resolved: 'assigned', replied: 'assigned' },
};

/** The status an action leads to; ILLEGAL_TRANSITION when it is not allowed from `from`. */
export function triageTransition(from: TriageStatus, action: TriageAction): TriageStatus {
  const to = transitions[action][from];
  if (!to) {
    throw new QunfaError('ILLEGAL_TRANSITION', `an item that is ${from} cannot be ${action}ed`, {
      details: { from, action },
    });
  }
  return to;
}

/**
 * Overdue: it has a deadline, nobody has answered it (new or assigned) and the deadline has
 * passed. A reply stops the clock; a resolved item is never overdue.
 */
export function isOverdue(item: { status: TriageStatus; dueAt: Date | null }, now: Date): boolean {
  return (
    item.dueAt !== null &&
    (item.status === 'new' || item.status === 'assigned') &&
    item.dueAt.getTime() <= now.getTime()
  );
}
