import { type AccountBudgets, limitOf, warmingUp } from './budgets.js';
import { type HealthScore, type HealthSignals, healthScore } from './health.js';
import type { AccountPolicy } from './policy.js';
import type { AccountRecord } from './records.js';

const WEEK = 7 * 86_400_000;
const DAY = 86_400_000;

export type AccountStatus = 'logged_out' | 'waiting_for_scan' | 'logged_in' | 'cooling' | 'paused';

/** An account as operators see it: its state, policy, today's usage and health score. */
export interface AccountView {
  id: string;
  workspaceId: string;
  label: string | null;
  puppet: string;
  status: AccountStatus;
  /** Why it does not send now (cool-down, low score, logged out), or null. */
  reason: string | null;
  selfId: string | null;
  firstLoginAt: Date | null;
  lastLoginAt: Date | null;
  lastLogoutAt: Date | null;
  warmingUp: boolean;
  cooldownUntil: Date | null;
  policy: AccountPolicy;
  usage: {
    massSends: number;
    friendMessages: number;
    groupMessages: number;
    images: number;
    sent: number;
    failed: number;
  };
  signals: HealthSignals;
  health: HealthScore;
}

const date = (iso: string | null) => (iso ? new Date(iso) : null);

/** The account's signals and score at `now`, from its record and today's counters. */
export async function viewAccount(
  record: AccountRecord,
  policy: AccountPolicy,
  budgets: AccountBudgets,
  live: { running: boolean; loggedIn: boolean },
  now: Date,
): Promise<AccountView> {
  const used = (c: Parameters<AccountBudgets['used']>[1]) => budgets.used(record.id, c, now);
  const [massSends, friendMessages, groupMessages, images, sent, failed] = await Promise.all([
    used('mass_sends'),
    used('friend_messages'),
    used('group_messages'),
    used('images'),
    used('sent'),
    used('failed'),
  ]);
  const warm = warmingUp(record.firstLoginAt, policy, now);
  const budgetToday = Math.min(
    policy.budgets.friendMessages + policy.budgets.groupMessages,
    limitOf('recipients', policy, warm),
  );
  const r = record.reported;
  const signals: HealthSignals = {
    devicesLoggedIn: r.devicesLoggedIn ?? null,
    ipChanges7d: r.ipChanges7d ?? null,
    forwardRatio: r.forwardRatio ?? null,
    friendDeletions24h:
      record.friends === null
        ? null
        : record.friendDeletions.filter((t) => now.getTime() - Date.parse(t) < DAY).length,
    friends: record.friends,
    reports30d: r.reports30d ?? null,
    paymentFlagged: r.paymentFlagged ?? null,
    cooldowns7d: record.cooldowns.filter((t) => now.getTime() - Date.parse(t) < WEEK).length,
    sentToday: sent,
    failedToday: failed,
    budgetToday,
  };
  const health = healthScore(signals);
  const cooling = record.cooldownUntil !== null && Date.parse(record.cooldownUntil) > now.getTime();
  let status: AccountStatus;
  let reason: string | null = null;
  if (!live.loggedIn) {
    status = live.running ? 'waiting_for_scan' : 'logged_out';
    reason = live.running
      ? 'waiting for the QR code to be scanned'
      : (record.logoutReason ?? 'not logged in');
  } else if (cooling) {
    status = 'cooling';
    reason = record.cooldownReason;
  } else if (health.score < policy.minHealthScore) {
    status = 'paused';
    const why = [...health.parts].sort((a, b) => b.penalty - a.penalty).map((p) => p.detail);
    reason = `health score ${health.score} below ${policy.minHealthScore}: ${why.join('; ')}`;
  } else status = 'logged_in';
  return {
    id: record.id,
    workspaceId: record.workspaceId,
    label: record.label,
    puppet: record.puppet,
    status,
    reason,
    selfId: record.selfId,
    firstLoginAt: date(record.firstLoginAt),
    lastLoginAt: date(record.lastLoginAt),
    lastLogoutAt: date(record.lastLogoutAt),
    warmingUp: warm,
    cooldownUntil: cooling ? date(record.cooldownUntil) : null,
    policy,
    usage: { massSends, friendMessages, groupMessages, images, sent, failed },
    signals,
    health,
  };
}
