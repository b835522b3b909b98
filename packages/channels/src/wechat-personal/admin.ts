import { QunfaError } from '@qunfa/core';
import { z } from 'zod';
import type { AccountView } from './account-view.js';
import { type LoginEvent, type LoginEventHub, loginEventStream } from './login-events.js';
import type { WechatPersonalConfig } from './options.js';
import { type AccountPolicyPatch, policySchema, resolvePolicy } from './policy.js';
import { type AccountRecords, newRecord, type ReportedSignals } from './records.js';
import type { PuppetSessions } from './sessions.js';

const WEEK = 7 * 86_400_000;

interface Deps {
  config: WechatPersonalConfig;
  records: AccountRecords;
  sessions: PuppetSessions;
  hub: LoginEventHub;
  view(id: string): Promise<AccountView | undefined>;
  refresh(): Promise<void>;
}

const addInput = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _, at most 64'),
  workspaceId: z.string().min(1),
  label: z.string().max(100).nullish(),
  puppet: z.string().min(1),
});

const signalsInput = z
  .object({
    devicesLoggedIn: z.number().int().min(0).max(100).nullish(),
    ipChanges7d: z.number().int().min(0).max(10_000).nullish(),
    forwardRatio: z.number().min(0).max(1).nullish(),
    reports30d: z.number().int().min(0).max(10_000).nullish(),
    paymentFlagged: z.boolean().nullish(),
  })
  .strict();

function invalid(error: z.ZodError, plugin: string): QunfaError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || '(input)';
  return new QunfaError('INVALID_INPUT', `${field}: ${issue?.message ?? 'invalid'}`, {
    plugin,
    details: { field },
  });
}

/** What the API does with personal WeChat accounts; every call checks the account is the workspace's. */
export function accountAdmin(deps: Deps) {
  const { config, records, sessions } = deps;
  const plugin = config.name;

  async function owned(workspaceId: string, id: string) {
    const record = await records.get(id);
    if (!record || record.workspaceId !== workspaceId) {
      throw new QunfaError('NOT_FOUND', `no personal WeChat account "${id}" in this workspace`, {
        plugin,
        details: { field: 'account' },
      });
    }
    return record;
  }
  const viewOf = async (id: string) => {
    await deps.refresh();
    return (await deps.view(id)) as AccountView;
  };

  return {
    async list(workspaceId: string): Promise<AccountView[]> {
      const all = await records.all();
      const views = await Promise.all(
        all.filter((r) => r.workspaceId === workspaceId).map((r) => deps.view(r.id)),
      );
      return views.filter((v): v is AccountView => v !== undefined);
    },
    async get(workspaceId: string, id: string): Promise<AccountView> {
      await owned(workspaceId, id);
      return (await deps.view(id)) as AccountView;
    },
    /** Registers an account, logged out; `login` then streams its QR code. */
    async add(input: unknown): Promise<AccountView> {
      const parsed = addInput.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error, plugin);
      const data = parsed.data;
      if (!config.puppets[data.puppet]) {
        throw new QunfaError('INVALID_INPUT', `no puppet profile "${data.puppet}"`, {
          plugin,
          details: { field: 'puppet', profiles: Object.keys(config.puppets) },
        });
      }
      if (await records.get(data.id)) {
        throw new QunfaError('CONFLICT', `an account "${data.id}" exists`, {
          plugin,
          details: { field: 'id' },
        });
      }
      await records.put(newRecord(data));
      return viewOf(data.id);
    },
    /** Starts the account's puppet: a QR code follows on `loginEvents` unless the puppet resumes a session. */
    async login(workspaceId: string, id: string): Promise<AccountView> {
      const record = await owned(workspaceId, id);
      record.wanted = 'online';
      await records.put(record);
      await sessions.start(record);
      return viewOf(id);
    },
    /** Logs the account out at WeChat; a restart leaves it logged out. */
    async logout(workspaceId: string, id: string): Promise<AccountView> {
      const record = await owned(workspaceId, id);
      record.wanted = 'offline';
      await records.put(record);
      await sessions.logout(id, 'logged out by an operator');
      return viewOf(id);
    },
    async setPolicy(workspaceId: string, id: string, patch: unknown): Promise<AccountView> {
      const record = await owned(workspaceId, id);
      const parsed = policySchema.partial().safeParse(patch);
      if (!parsed.success) throw invalid(parsed.error, plugin);
      const next: AccountPolicyPatch = { ...record.policy, ...stripUndefined(parsed.data) };
      const resolved = policySchema.safeParse({ ...config.policy, ...next });
      if (!resolved.success) throw invalid(resolved.error, plugin);
      record.policy = next;
      await records.put(record);
      return viewOf(id);
    },
    /** An operator's figures for the signals the puppet cannot give (devices, IPs, forwards, reports, payment). */
    async reportSignals(workspaceId: string, id: string, signals: unknown): Promise<AccountView> {
      const record = await owned(workspaceId, id);
      const parsed = signalsInput.safeParse(signals);
      if (!parsed.success) throw invalid(parsed.error, plugin);
      record.reported = { ...record.reported, ...(stripUndefined(parsed.data) as ReportedSignals) };
      await records.put(record);
      return viewOf(id);
    },
    /** Ends a cool-down early (an operator's decision). */
    async endCooldown(workspaceId: string, id: string): Promise<AccountView> {
      const record = await owned(workspaceId, id);
      record.cooldownUntil = null;
      record.cooldownReason = null;
      await records.put(record);
      return viewOf(id);
    },
    async loginEvents(
      workspaceId: string,
      id: string,
      signal?: AbortSignal,
    ): Promise<AsyncGenerator<LoginEvent>> {
      await owned(workspaceId, id);
      return loginEventStream(deps.hub, id, signal);
    },
    /** Stops the account at once after a risk signal: a cool-down of the policy's length. */
    async coolDown(id: string, reason: string): Promise<void> {
      const record = await records.get(id);
      if (!record) return;
      const now = config.now();
      const policy = resolvePolicy(config.policy, record.policy);
      record.cooldownUntil = new Date(now.getTime() + policy.cooldownMs).toISOString();
      record.cooldownReason = reason;
      record.cooldowns = [
        ...record.cooldowns.filter((t) => now.getTime() - Date.parse(t) < WEEK),
        now.toISOString(),
      ];
      await records.put(record);
      config.logger.warn('personal WeChat account cooling down after a risk signal', {
        plugin,
        account: id,
        cooldownMs: policy.cooldownMs,
      });
    },
    /** Starts the puppets of the accounts that were logged in before this process started. */
    async restore(): Promise<void> {
      for (const record of await records.all()) {
        if (record.wanted !== 'online' || sessions.running(record.id)) continue;
        await sessions.start(record).catch((error) =>
          config.logger.error('a personal WeChat account could not be started', {
            plugin,
            account: record.id,
            error: String(error),
          }),
        );
      }
      await deps.refresh();
    },
    /** Counts friends again (deletions feed the health score). */
    async syncFriends(workspaceId: string, id: string): Promise<AccountView> {
      await owned(workspaceId, id);
      await sessions.syncFriends(id);
      return viewOf(id);
    },
  };
}

export type AccountAdmin = ReturnType<typeof accountAdmin>;

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
