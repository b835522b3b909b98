import type { InboundMessage, Logger } from '@qunfa/core';
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
}

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
    const friends = new Set(payloads.filter((p) => p?.friend === true).map((p) => p!.id));
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
    async close(): Promise<void> {
      await Promise.all([...live.keys()].map((account) => this.stop(account)));
    },
  };
}

export type PuppetSessions = ReturnType<typeof puppetSessions>;
