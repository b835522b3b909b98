import type { InboundMessage, Logger, PluginState, ReachChange } from '@qunfa/core';
import { inboundFromPuppet } from './inbound.js';
import type { LoginEventHub } from './login-events.js';
import { type PuppetFactory, type PuppetLike, scanStatusNames } from './puppet.js';
import type { AccountRecord, AccountRecords } from './records.js';

const DAY = 86_400_000;

interface Deps {
  records: AccountRecords;
  puppets: Record<string, PuppetFactory>;
  hub: LoginEventHub;
  now(): Date;
  logger: Logger;
  /** Most inbound messages kept between two polls; older ones are dropped (and logged). */
  inboundBuffer: number;
  /** Shared state: each account's friends as last read, so a deletion while no process ran is still seen. */
  state: PluginState;
}

/** A logged-in account's friend list is read again this often at most, when the worker polls. */
export const FRIEND_SWEEP_MS = 3_600_000;
/** Relation changes kept between two polls at most; a bigger backlog waits in the next sweep. */
const REACH_BUFFER = 50_000;
const friendsKey = (account: string) => `friends/${account}`;

/**
 * The puppets this process runs, one per account that an operator logged in. A login or logout
 * is written to the account's record at once, so a restart logs in again the accounts that were.
 */
export function puppetSessions(deps: Deps) {
  const live = new Map<string, PuppetLike>();
  const inbound: InboundMessage[] = [];
  const iso = () => deps.now().toISOString();

  async function update(id: string, change: (r: AccountRecord) => void): Promise<void> {
    const record = await deps.records.get(id);
    if (!record) return;
    change(record);
    await deps.records.put(record);
  }

  async function onMessage(account: string, puppet: PuppetLike, messageId: string) {
    const payload = await puppet.messagePayload(messageId);
    const message = inboundFromPuppet(account, puppet.currentUserId, payload);
    if (!message) return;
    if (inbound.length >= deps.inboundBuffer) {
      inbound.shift();
      deps.logger.warn('inbound buffer full: the oldest message was dropped', { account });
    }
    inbound.push(message);
  }

  function wire(account: string, puppet: PuppetLike) {
    puppet.on('scan', ({ qrcode, status }) => {
      deps.hub.emit({
        account,
        type: 'scan',
        qrcode: qrcode ?? null,
        status: scanStatusNames[status] ?? 'unknown',
        at: deps.now(),
      });
    });
    puppet.on('login', ({ contactId }) => {
      void update(account, (r) => {
        r.selfId = contactId;
        r.firstLoginAt ??= iso();
        r.lastLoginAt = iso();
        r.logoutReason = null;
      })
        .then(() => syncFriends(account))
        .catch((error) =>
          deps.logger.warn('a login could not be recorded', { account, error: String(error) }),
        )
        .finally(() => deps.hub.emit({ account, type: 'login', userId: contactId, at: deps.now() }));
    });
    puppet.on('logout', ({ data }) => {
      void update(account, (r) => {
        r.lastLogoutAt = iso();
        r.logoutReason = data ?? null;
      })
        .catch((error) =>
          deps.logger.warn('a logout could not be recorded', { account, error: String(error) }),
        )
        .finally(() => deps.hub.emit({ account, type: 'logout', reason: data ?? null, at: deps.now() }));
    });
    puppet.on('message', ({ messageId }) => {
      onMessage(account, puppet, messageId).catch((error) =>
        deps.logger.warn('an inbound message could not be read', { account, error: String(error) }),
      );
    });
    puppet.on('error', ({ data }) => {
      deps.hub.emit({ account, type: 'error', message: data ?? 'puppet error', at: deps.now() });
    });
  }

  /**
   * Counts friends and notes those who deleted the account since the last sync: the one
   * health signal the Puppet interface exposes (a contact's `friend` flag).
   */
  async function syncFriends(account: string): Promise<void> {
    const puppet = live.get(account);
    if (!puppet?.isLoggedIn) return;
    const ids = await puppet.contactList();
    const payloads = await Promise.all(ids.map((id) => puppet.contactPayload(id).catch(() => undefined)));
    // A contact that could not be read is neither a new friend nor a deleted one this time.
    const unread = new Set(ids.filter((_, i) => payloads[i] === undefined));
    const friends = new Set(payloads.filter((p) => p?.friend === true).map((p) => p!.id));
    await sweepRelations(account, friends, unread);
    const known = friendSets.get(account);
    friendSets.set(account, friends);
    const deleted = known ? [...known].filter((id) => !friends.has(id)).length : 0;
    const since = deps.now().getTime() - DAY;
    await update(account, (r) => {
      r.friends = friends.size;
      r.friendDeletions = [
        ...r.friendDeletions.filter((t) => Date.parse(t) > since),
        ...Array.from({ length: deleted }, () => iso()),
      ];
    });
  }
  const friendSets = new Map<string, Set<string>>();
  const reach: ReachChange[] = [];
  const swept = new Map<string, number>();

  /**
   * The account's friends against the list read last time (kept in the shared state, so it holds
   * across restarts): every friend is a relation `added` (again: a contact imported since the last
   * sweep gets its relation; one already live is left as it is), each friend gone a relation ended
   * by the friend (`removed_by_customer`: they deleted the account). Only this account's relations
   * move: an account not logged in here is not read, and nothing of it is ended.
   */
  async function sweepRelations(account: string, friends: Set<string>, unread: Set<string>) {
    const before = new Set((await deps.state.get<string[]>(friendsKey(account))) ?? []);
    const at = deps.now();
    const changes: ReachChange[] = [
      ...[...friends].map(
        (id): ReachChange => ({ identity: { kind: 'wxid', value: id }, account, change: 'added', at }),
      ),
      ...[...before]
        .filter((id) => !friends.has(id) && !unread.has(id))
        .map(
          (id): ReachChange => ({
            identity: { kind: 'wxid', value: id },
            account,
            change: 'removed_by_customer',
            at,
          }),
        ),
    ];
    if (reach.length + changes.length > REACH_BUFFER) {
      deps.logger.warn('relation changes are not drained: this sweep waits for the next', { account });
      return;
    }
    reach.push(...changes);
    const kept = [...friends, ...[...before].filter((id) => unread.has(id))];
    await deps.state.set(friendsKey(account), kept);
    swept.set(account, at.getTime());
  }

  return {
    /** The account's puppet when it runs here and is logged in. */
    loggedIn(account: string): PuppetLike | undefined {
      const puppet = live.get(account);
      return puppet?.isLoggedIn ? puppet : undefined;
    },
    running(account: string): boolean {
      return live.has(account);
    },
    /** Starts the account's puppet (a QR code follows on `scan` unless the puppet resumes a session). */
    async start(record: AccountRecord): Promise<void> {
      if (live.has(record.id)) return;
      const factory = deps.puppets[record.puppet];
      if (!factory) throw new Error(`no puppet profile "${record.puppet}"`);
      const puppet = await factory({ id: record.id });
      live.set(record.id, puppet);
      wire(record.id, puppet);
      try {
        await puppet.start();
      } catch (error) {
        live.delete(record.id);
        puppet.removeAllListeners();
        throw error;
      }
    },
    /** Logs the account out at WeChat and stops its puppet. */
    async logout(account: string, reason: string): Promise<void> {
      const puppet = live.get(account);
      if (!puppet) return;
      if (puppet.isLoggedIn) await puppet.logout(reason);
      await this.stop(account);
    },
    /** Stops the puppet without logging out (a restart resumes the session where the puppet can). */
    async stop(account: string): Promise<void> {
      const puppet = live.get(account);
      if (!puppet) return;
      live.delete(account);
      // Listeners go first: a puppet stopping emits `logout`, and a stop is not a logout.
      puppet.removeAllListeners();
      await puppet.stop().catch(() => undefined);
    },
    syncFriends,
    /** Inbound messages received since the last call. */
    drainInbound(): InboundMessage[] {
      return inbound.splice(0, inbound.length);
    },
    /**
     * Relation changes since the last call, after reading again the friend list of every account
     * logged in here whose last read is older than `FRIEND_SWEEP_MS`.
     */
    async drainReach(): Promise<ReachChange[]> {
      const now = deps.now().getTime();
      for (const account of live.keys()) {
        if (now - (swept.get(account) ?? 0) < FRIEND_SWEEP_MS) continue;
        await syncFriends(account).catch((error) =>
          deps.logger.warn('a friend list could not be read', { account, error: String(error) }),
        );
      }
      return reach.splice(0, reach.length);
    },
    async close(): Promise<void> {
      await Promise.all([...live.keys()].map((account) => this.stop(account)));
    },
  };
}

export type PuppetSessions = ReturnType<typeof puppetSessions>;
