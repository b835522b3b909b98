import {
  type OutboundMessage,
  type PluginState,
  pickSender,
  type ReachCandidate,
  type SendOutcome,
} from '@qunfa/core';
import type { PuppetLike } from './puppet.js';
import { isGroup, unreachable } from './send.js';

/** An account that could send: its puppet on this worker, and whether it may send now. */
export interface RouteAccount {
  id: string;
  puppet: PuppetLike;
  /** Not now: until when (a cool-down, today's mass sends used, logged out). */
  blockedUntil: Date | null;
}

/** Recipients of one account's mass send, each with why that account was chosen. */
export type Routes = Map<string, { message: OutboundMessage; reason: string }[]>;

interface SeenRelation {
  /** When the channel first saw the account have them (a friend, or a group it is in), ISO. */
  firstSeen: string;
  /** When they last talked (a message either way), ISO. */
  lastTalk?: string;
}

const relationKey = (account: string, address: string) => `relation/${account}/${address}`;
/** A relation not seen for this long is forgotten (a friend long deleted). */
const RELATION_TTL_MS = 400 * 86_400_000;

/** Remembers that `account` and `address` talked at `at` (an inbound message, a send). */
export async function noteTalk(state: PluginState, account: string, address: string, at: Date) {
  const key = relationKey(account, address);
  const seen = await state.get<SeenRelation>(key);
  await state.set(
    key,
    { firstSeen: seen?.firstSeen ?? at.toISOString(), lastTalk: at.toISOString() },
    RELATION_TTL_MS,
  );
}

async function candidateOf(state: PluginState, account: string, address: string, now: Date) {
  const key = relationKey(account, address);
  let seen = await state.get<SeenRelation>(key);
  if (!seen) {
    seen = { firstSeen: now.toISOString() };
    await state.set(key, seen, RELATION_TTL_MS);
  }
  return {
    account,
    addedAt: new Date(seen.firstSeen),
    lastTalkAt: seen.lastTalk ? new Date(seen.lastTalk) : null,
  } satisfies ReachCandidate;
}

/**
 * Picks the sender of each recipient among the workspace's accounts on this worker: only an
 * account that has them as a friend (or is in the group) can reach them; of those that may send
 * now, `pickSender` prefers the one that last talked with them, then the one that had them first.
 * The reason is said on the delivery. When only accounts that may not send now have them, the
 * recipient waits (`rate_limited` until the first frees up); when none has them, it fails
 * `invalid_recipient`, not retried.
 */
export async function routeByRelation(
  messages: readonly OutboundMessage[],
  accounts: readonly RouteAccount[],
  state: PluginState,
  now: Date,
): Promise<{ routes: Routes; outcomes: SendOutcome[] }> {
  const rooms = new Map<string, Set<string>>();
  for (const a of accounts) rooms.set(a.id, new Set(await a.puppet.roomList().catch(() => [])));
  const routes: Routes = new Map();
  const outcomes: SendOutcome[] = [];
  for (const message of messages) {
    const having: RouteAccount[] = [];
    for (const a of accounts) {
      if ((await unreachable(a.puppet, message.address, rooms.get(a.id)!)) === undefined) having.push(a);
    }
    const group = isGroup(message.address) || accounts.some((a) => rooms.get(a.id)!.has(message.address));
    const names = accounts.map((a) => a.id).join(', ');
    if (having.length === 0) {
      outcomes.push({
        id: message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: group
          ? `not in this group (left or removed) on any account (${names})`
          : `not a friend of any account (${names})`,
      });
      continue;
    }
    const free = having.filter((a) => a.blockedUntil === null);
    if (free.length === 0) {
      const until = Math.min(...having.map((a) => a.blockedUntil!.getTime()));
      outcomes.push({
        id: message.id,
        status: 'failed',
        failure: 'rate_limited',
        error: `the accounts that have them (${having.map((a) => a.id).join(', ')}) may not send now`,
        retryAfterMs: Math.max(0, until - now.getTime()),
      });
      continue;
    }
    const candidates = await Promise.all(free.map((a) => candidateOf(state, a.id, message.address, now)));
    const choice = pickSender(candidates)!;
    const what = group ? 'in the group' : 'a friend of theirs';
    const reason =
      having.length === 1
        ? `the only account ${what}`
        : `${choice.reason}, of ${having.length} accounts ${group ? 'in the group' : 'they are friends with'}`;
    const list = routes.get(choice.account) ?? [];
    list.push({ message, reason });
    routes.set(choice.account, list);
  }
  return { routes, outcomes };
}
