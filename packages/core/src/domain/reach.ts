/**
 * Someone reached only through a sender account (a WeCom customer through a staff member who has
 * them, a personal-WeChat friend through the account that has them): one candidate per account.
 */
export interface ReachCandidate {
  account: string;
  /** When the account added the contact. */
  addedAt: Date;
  /** When they last talked, where known. */
  lastTalkAt?: Date | null;
  /** The relation is gone (deleted by either side): never sent through again. */
  removed?: boolean;
}

/** The sender chosen for one recipient, and why, in words an operator reads on the delivery. */
export interface SenderChoice {
  account: string;
  reason: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Picks the sender for one recipient: an account the operator pinned (in pin order) when one has
 * the contact, else the one that last talked with them where known, else the one that added them
 * first; ties by account name. Removed relations are never used; undefined when none is left.
 */
export function pickSender(
  candidates: readonly ReachCandidate[],
  pinned: readonly string[] = [],
): SenderChoice | undefined {
  const live = candidates.filter((c) => !c.removed);
  if (live.length === 0) return undefined;
  for (const account of pinned) {
    if (live.some((c) => c.account === account)) return { account, reason: 'pinned by the operator' };
  }
  const talked = live.filter((c) => c.lastTalkAt);
  if (talked.length > 0) {
    const best = [...talked].sort(
      (a, b) => b.lastTalkAt!.getTime() - a.lastTalkAt!.getTime() || a.account.localeCompare(b.account),
    )[0]!;
    return { account: best.account, reason: `last talked with them (${day(best.lastTalkAt!)})` };
  }
  const first = [...live].sort(
    (a, b) => a.addedAt.getTime() - b.addedAt.getTime() || a.account.localeCompare(b.account),
  )[0]!;
  return { account: first.account, reason: `added them first (${day(first.addedAt)})` };
}
