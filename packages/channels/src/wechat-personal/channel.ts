import {
  type AccountReadiness,
  batchWaitReasons,
  type ChannelLimits,
  type ChannelPlugin,
  type ContactIdentity,
  type InboundMessage,
  type ReachChange,
} from '@qunfa/core';
import { type AccountView, viewAccount } from './account-view.js';
import { type AccountAdmin, accountAdmin } from './admin.js';
import { accountBudgets } from './budgets.js';
import { loginEventHub } from './login-events.js';
import { parseOptions, type WechatPersonalOptions } from './options.js';
import { resolvePolicy } from './policy.js';
import { accountRecords } from './records.js';
import { noteTalk, type RouteAccount, routeByRelation } from './routing.js';
import { sendAsAccount } from './send.js';
import { puppetSessions } from './sessions.js';

export interface WechatPersonalChannel extends ChannelPlugin {
  /** Accounts, logins, policies and health, for the API; every call is scoped to a workspace. */
  admin: AccountAdmin;
  /** Stops this process's puppets without logging them out (a restart resumes). */
  close(): Promise<void>;
}

/**
 * Personal WeChat accounts driven through the Wechaty Puppet interface, sending to their
 * friends and groups under a per-account limits policy, with a health score per account. Each
 * recipient goes out through an account that has them as a friend (or is in the group), chosen
 * per recipient and said on the delivery (`via`).
 */
export function wechatPersonal(options: WechatPersonalOptions): WechatPersonalChannel {
  const config = parseOptions(options);
  const records = accountRecords(config.state);
  const budgets = accountBudgets(config.limiter, config.name, config.timeZone);
  const hub = loginEventHub();
  const sessions = puppetSessions({
    records,
    puppets: config.puppets,
    hub,
    now: config.now,
    logger: config.logger,
    inboundBuffer: config.inboundBuffer,
    state: config.state,
  });
  // Healthier accounts first: `accounts` is read synchronously by the engine, so it is a cache.
  let order: string[] = [];
  const view = async (id: string): Promise<AccountView | undefined> => {
    const record = await records.get(id);
    if (!record) return undefined;
    return viewAccount(
      record,
      resolvePolicy(config.policy, record.policy),
      budgets,
      { running: sessions.running(id), loggedIn: sessions.loggedIn(id) !== undefined },
      config.now(),
    );
  };
  const refresh = async () => {
    const views = (await Promise.all((await records.ids()).map(view))).filter((v) => v !== undefined);
    order = views.sort((a, b) => b.health.score - a.health.score).map((v) => v.id);
    // Batches are planned no larger than the strictest account allows, so none has to be split.
    perSend = Math.min(config.policy.recipientsPerSend, ...views.map((v) => v.policy.recipientsPerSend));
  };
  let perSend = config.policy.recipientsPerSend;
  let restored: Promise<void> | undefined;
  const admin = accountAdmin({ config, records, sessions, hub, view, refresh });
  const ready = () => {
    restored ??= admin.restore().catch((error) => {
      restored = undefined;
      config.logger.error('personal WeChat accounts could not be restored', { error: String(error) });
    });
    return restored;
  };

  const notReady = (until: number, reason: string): AccountReadiness => ({
    ready: false,
    until: new Date(until),
    reason,
  });

  /** Whether `account` may send now for `workspaceId`, by its status, policy and today's usage. */
  const readiness = async (account: string, workspaceId: string): Promise<AccountReadiness> => {
    const v = await view(account);
    const now = config.now().getTime();
    if (!v || v.workspaceId !== workspaceId) {
      return notReady(now + config.pausedRetryMs, batchWaitReasons.accountCooldown);
    }
    if (v.status === 'logged_out' || v.status === 'waiting_for_scan') {
      return notReady(now + config.offlineRetryMs, batchWaitReasons.accountCooldown);
    }
    if (v.status === 'cooling' && v.cooldownUntil) {
      return notReady(v.cooldownUntil.getTime(), batchWaitReasons.accountCooldown);
    }
    if (v.status === 'paused') return notReady(now + config.pausedRetryMs, batchWaitReasons.accountCooldown);
    const dayEnd = budgets.dayEnd(config.now()).getTime();
    if (v.usage.massSends >= v.policy.massSendsPerDay) return notReady(dayEnd, batchWaitReasons.quotaReached);
    if (v.warmingUp && v.usage.friendMessages + v.usage.groupMessages >= v.policy.warmUp.dailyRecipients) {
      return notReady(dayEnd, batchWaitReasons.quotaReached);
    }
    return { ready: true };
  };

  return {
    kind: 'channel',
    name: config.name,
    get limits(): ChannelLimits {
      return {
        maxRecipientsPerSend: perSend,
        contentTypes: ['text', 'image'],
        maxTextLength: config.policy.maxTextLength,
        receipts: false,
        // WeChat reports nothing on a personal account's message; only the puppet's send outcome.
        receiptStates: { text: [], image: [] },
        recall: false,
        idempotencyKeys: false,
      };
    },
    identityKinds: ['wxid'],
    get accounts() {
      return order;
    },
    admin,
    address(identities: ContactIdentity[]) {
      return identities.find((i) => i.kind === 'wxid' && i.value.trim() !== '')?.value;
    },
    async accountReady(account, request) {
      await ready();
      return readiness(account, request.workspaceId);
    },
    async send(batch, ctx) {
      await ready();
      const home = batch.account ? await records.get(batch.account) : undefined;
      if (!home || !sessions.loggedIn(home.id)) {
        return batch.messages.map((m) => ({
          id: m.id,
          status: 'failed' as const,
          failure: 'rate_limited' as const,
          error: 'the sender account is not logged in on this worker',
          retryAfterMs: config.offlineRetryMs,
        }));
      }
      // The workspace's accounts on this worker, the batch's own (the engine's pick) first.
      const accounts: RouteAccount[] = [];
      for (const id of [home.id, ...(await records.ids()).filter((id) => id !== home.id)]) {
        const puppet = sessions.loggedIn(id);
        const record = id === home.id ? home : await records.get(id);
        if (!puppet || record?.workspaceId !== home.workspaceId) continue;
        const r = id === home.id ? ({ ready: true } as const) : await readiness(id, home.workspaceId);
        accounts.push({ id, puppet, blockedUntil: r.ready ? null : r.until });
      }
      const { routes, outcomes } = await routeByRelation(
        batch.messages,
        accounts,
        config.state,
        config.now(),
      );
      try {
        for (const [account, items] of routes) {
          const record = account === home.id ? home : await records.get(account);
          const puppet = sessions.loggedIn(account);
          if (!record || !puppet) continue;
          const why = new Map(items.map((i) => [i.message.id, i]));
          const sent = await sendAsAccount(
            {
              budgets,
              riskPatterns: config.riskPatterns,
              riskCodes: config.riskCodes,
              sleep: config.sleep,
              random: config.random,
              imageFile: async (url) => (await import('file-box')).FileBox.fromUrl(url),
              onRisk: (id, reason) => admin.coolDown(id, reason),
            },
            { ...batch, account, messages: items.map((i) => i.message) },
            ctx,
            { record, puppet, policy: resolvePolicy(config.policy, record.policy) },
          );
          for (const o of sent) {
            const item = why.get(o.id)!;
            if (o.status === 'uncertain' || o.status === 'filtered') {
              outcomes.push(o);
              continue;
            }
            outcomes.push({ ...o, via: { account, reason: item.reason } });
            if (o.status === 'sent')
              await noteTalk(config.state, account, item.message.address, config.now());
          }
        }
      } finally {
        await refresh();
      }
      return outcomes;
    },
    async pollInbound(): Promise<InboundMessage[]> {
      await ready();
      const messages = sessions.drainInbound();
      for (const m of messages) {
        if (m.account) await noteTalk(config.state, m.account, m.groupId ?? m.from.value, m.at);
      }
      return messages;
    },
    /** Friends added and friends who deleted an account, from a sweep of each account's friend list. */
    async pollReach(): Promise<ReachChange[]> {
      await ready();
      return sessions.drainReach();
    },
    close: () => sessions.close(),
  };
}
