import { type ReplyClass, replyClasses } from '../domain/reply-class.js';
import { QunfaError } from '../errors.js';

/** How urgent an inbound item is; the inbox sorts by it, then by deadline. */
export const triagePriorities = ['urgent', 'high', 'normal', 'low'] as const;
export type TriagePriority = (typeof triagePriorities)[number];

/** A workspace's triage settings: per class, a priority and a reply deadline in minutes (null: none). */
export interface TriagePolicy {
  classes: Record<ReplyClass, { priority: TriagePriority; replyWithinMinutes: number | null }>;
}

/**
 * The defaults (seed 000, section 3): complaints within 15 minutes (紧急通道), consultations
 * within 30, marketing replies within a working day when interested, noise never.
 */
export function defaultTriagePolicy(): TriagePolicy {
  return {
    classes: {
      complaint: { priority: 'urgent', replyWithinMinutes: 15 },
      consultation: { priority: 'high', replyWithinMinutes: 30 },
      interested: { priority: 'normal', replyWithinMinutes: 8 * 60 },
      not_interested: { priority: 'low', replyWithinMinutes: null },
      unsubscribe: { priority: 'low', replyWithinMinutes: null },
      noise: { priority: 'low', replyWithinMinutes: null },
      other: { priority: 'normal', replyWithinMinutes: null },
    },
  };
}

/** Longest deadline a policy may set: a week. */
const MAX_MINUTES = 7 * 24 * 60;

/**
 * The default policy with a workspace's overrides applied, checked: an unknown class, an
 * unknown priority or a deadline outside 1 minute – 7 days is INVALID_INPUT naming the field.
 */
export function triagePolicyWith(
  overrides: Partial<Record<string, { priority?: string; replyWithinMinutes?: number | null }>>,
): TriagePolicy {
  const policy = defaultTriagePolicy();
  for (const [label, override] of Object.entries(overrides)) {
    if (!override) continue;
    if (!(replyClasses as readonly string[]).includes(label)) {
      throw new QunfaError('INVALID_INPUT', `no reply class "${label}"`, { details: { field: label } });
    }
    const entry = policy.classes[label as ReplyClass];
    if (override.priority !== undefined) {
      if (!(triagePriorities as readonly string[]).includes(override.priority)) {
        throw new QunfaError('INVALID_INPUT', `no priority "${override.priority}"`, {
          details: { field: `${label}.priority` },
        });
      }
      entry.priority = override.priority as TriagePriority;
    }
    const minutes = override.replyWithinMinutes;
    if (minutes !== undefined) {
      if (minutes !== null && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_MINUTES)) {
        throw new QunfaError('INVALID_INPUT', 'a reply deadline is 1 to 10080 whole minutes, or none', {
          details: { field: `${label}.replyWithinMinutes` },
        });
      }
      entry.replyWithinMinutes = minutes;
    }
  }
  return policy;
}

/** The priority and reply deadline an inbound message received at `at` gets for its class. */
export function triageOf(
  label: ReplyClass,
  at: Date,
  policy: TriagePolicy,
): { priority: TriagePriority; dueAt: Date | null } {
  const entry = policy.classes[label];
  return {
    priority: entry.priority,
    dueAt:
      entry.replyWithinMinutes === null ? null : new Date(at.getTime() + entry.replyWithinMinutes * 60_000),
  };
}
