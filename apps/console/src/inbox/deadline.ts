/** A reply deadline as a countdown: minutes left (negative once past), or none. */
export interface Deadline {
  kind: 'none' | 'due' | 'overdue';
  /** Whole minutes left (due) or past (overdue), rounded towards the deadline. */
  minutes: number;
}

/**
 * The countdown of an item still to answer. `overdue` is the server's word (it knows the
 * status and its own clock); between reads the client's clock moves the countdown on, and
 * a deadline that passed meanwhile shows as overdue at once.
 */
export function deadlineOf(dueAt: string | null, overdue: boolean, open: boolean, nowMs: number): Deadline {
  if (!dueAt || !open) return { kind: 'none', minutes: 0 };
  const left = Date.parse(dueAt) - nowMs;
  if (overdue || left <= 0) return { kind: 'overdue', minutes: Math.max(0, Math.floor(-left / 60_000)) };
  return { kind: 'due', minutes: Math.ceil(left / 60_000) };
}
