/**
 * A sender account's health. `cooling` ends by itself at `until` (e.g. 4 h after "operation
 * too frequent"); `restricted` lasts until an operator marks the account healthy again.
 */
export const accountHealthStates = ['healthy', 'cooling', 'restricted'] as const;
export type AccountHealthState = (typeof accountHealthStates)[number];

export interface AccountHealth {
  channel: string;
  account: string;
  state: AccountHealthState;
  /** End of a cool-down; null for the other states. */
  until: Date | null;
  /** Why, in the provider's or operator's words, without personal data. */
  reason: string | null;
  updatedAt: Date;
}

/** Whether an account may send at `now`: healthy, or a cool-down that has ended. */
export function accountUsable(health: AccountHealth | undefined, now: Date): boolean {
  if (!health || health.state === 'healthy') return true;
  if (health.state === 'cooling') return health.until !== null && health.until <= now;
  return false;
}
