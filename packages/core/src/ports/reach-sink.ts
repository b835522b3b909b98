/**
 * A change in who can reach a contact through whom, as a provider's callback tells it: a WeCom
 * staff member added a customer, deleted them, or the customer deleted the staff member.
 */
export interface ReachChange {
  /** The identity of the contact it is about (`wecom_external_userid`). */
  identity: { kind: string; value: string };
  /** The sender account (a WeCom member's userid). */
  account: string;
  /** `added` (live again), or removed by one side: never sent through again. */
  change: 'added' | 'removed_by_staff' | 'removed_by_customer';
  at: Date;
}

/**
 * Where callbacks' reach changes go: the app keeps its "reachable through" relations current
 * (the API's `contact_reach`), in every workspace that holds the identity.
 */
export interface ReachSink {
  record(channel: string, changes: readonly ReachChange[]): Promise<{ updated: number }>;
}
