import type { PluginState } from '@qunfa/core';
import type { AccountPolicyPatch } from './policy.js';

/** Health signals an operator enters: what the Puppet interface does not expose (see `HealthSignals`). */
export interface ReportedSignals {
  devicesLoggedIn?: number | null;
  ipChanges7d?: number | null;
  forwardRatio?: number | null;
  reports30d?: number | null;
  paymentFlagged?: boolean | null;
}

/** One personal WeChat account as stored (plugin state, shared by every process): survives restarts. */
export interface AccountRecord {
  id: string;
  workspaceId: string;
  label: string | null;
  /** Name of the puppet profile (`options.puppets`) that drives it. */
  puppet: string;
  /** Whether an operator wants it logged in: a restart logs in again those that were. */
  wanted: 'online' | 'offline';
  /** The WeChat user id of the account, from its first login. */
  selfId: string | null;
  firstLoginAt: string | null;
  lastLoginAt: string | null;
  lastLogoutAt: string | null;
  logoutReason: string | null;
  policy: AccountPolicyPatch;
  reported: ReportedSignals;
  /** End of the current cool-down after a risk signal, ISO. */
  cooldownUntil: string | null;
  cooldownReason: string | null;
  /** Starts of cool-downs in the last 7 days, ISO. */
  cooldowns: string[];
  /** Times a friend was seen deleted, last 24 h kept, ISO. */
  friendDeletions: string[];
  /** Friends at the last sync. */
  friends: number | null;
}

const INDEX = 'accounts';
const recordKey = (id: string) => `account/${id}`;

/** Account records in the plugin state: an index of ids, one key per account. */
export function accountRecords(state: PluginState) {
  return {
    async ids(): Promise<string[]> {
      return (await state.get<string[]>(INDEX)) ?? [];
    },
    async all(): Promise<AccountRecord[]> {
      const ids = await this.ids();
      const records = await Promise.all(ids.map((id) => state.get<AccountRecord>(recordKey(id))));
      return records.filter((r): r is AccountRecord => r !== undefined);
    },
    get(id: string): Promise<AccountRecord | undefined> {
      return state.get<AccountRecord>(recordKey(id));
    },
    async put(record: AccountRecord): Promise<void> {
      await state.set(recordKey(record.id), record);
      const ids = await this.ids();
      if (!ids.includes(record.id)) await state.set(INDEX, [...ids, record.id]);
    },
    async remove(id: string): Promise<void> {
      await state.delete(recordKey(id));
      await state.set(
        INDEX,
        (await this.ids()).filter((i) => i !== id),
      );
    },
  };
}

export type AccountRecords = ReturnType<typeof accountRecords>;

/** A new account's record. */
export function newRecord(input: {
  id: string;
  workspaceId: string;
  label?: string | null;
  puppet: string;
}): AccountRecord {
  return {
    id: input.id,
    workspaceId: input.workspaceId,
    label: input.label ?? null,
    puppet: input.puppet,
    wanted: 'offline',
    selfId: null,
    firstLoginAt: null,
    lastLoginAt: null,
    lastLogoutAt: null,
    logoutReason: null,
    policy: {},
    reported: {},
    cooldownUntil: null,
    cooldownReason: null,
    cooldowns: [],
    friendDeletions: [],
    friends: null,
  };
}
