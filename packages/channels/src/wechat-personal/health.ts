/**
 * The six signals of seed 001 (登录设备数量、IP变动频率、消息转发比率、好友删除速率、举报历史记录、
 * 支付行为特征) and our own. The Puppet interface exposes only friend deletions (a friend's
 * `friend` flag turning false between two syncs); devices, IP changes, forwards, reports and
 * payment behaviour are entered by an operator (null: not known, no penalty).
 */
export interface HealthSignals {
  /** Devices logged in to the account (operator). */
  devicesLoggedIn: number | null;
  /** IP changes in the last 7 days (operator). */
  ipChanges7d: number | null;
  /** Share of the account's messages that are forwards, 0–1 (operator). */
  forwardRatio: number | null;
  /** Friends who deleted the account in the last 24 h (puppet: contact sync). */
  friendDeletions24h: number | null;
  /** Friends at the last contact sync (puppet). */
  friends: number | null;
  /** Reports (举报) against the account in the last 30 days (operator). */
  reports30d: number | null;
  /** WeChat Pay behaviour flagged as unusual (operator). */
  paymentFlagged: boolean | null;
  /** Cool-downs after a risk signal in the last 7 days (ours). */
  cooldowns7d: number;
  /** Messages sent and failed today (ours). */
  sentToday: number;
  failedToday: number;
  /** Messages the day's budgets allow (friend + group). */
  budgetToday: number;
}

export interface HealthPart {
  signal: string;
  /** Points taken off 100. */
  penalty: number;
  detail: string;
}

export interface HealthScore {
  /** 0–100; higher is healthier. */
  score: number;
  parts: HealthPart[];
}

const capped = (value: number, max: number) => Math.min(max, Math.max(0, value));

/** The account's score: 100 less a capped penalty per signal; a pure function of the signals. */
export function healthScore(s: HealthSignals): HealthScore {
  const parts: HealthPart[] = [];
  const take = (signal: string, penalty: number, detail: string) => {
    if (penalty > 0) parts.push({ signal, penalty: Math.round(penalty * 10) / 10, detail });
  };
  take('cooldowns', capped(20 * s.cooldowns7d, 60), `${s.cooldowns7d} cool-downs in 7 days`);
  const attempts = s.sentToday + s.failedToday;
  // Too few sends say nothing about a failure rate.
  if (attempts >= 10) {
    const rate = s.failedToday / attempts;
    take('failure_rate', capped(40 * rate, 40), `${Math.round(rate * 100)}% of today's sends failed`);
  }
  if (s.budgetToday > 0) {
    const usage = s.sentToday / s.budgetToday;
    take(
      'budget_used',
      capped(((usage - 0.8) / 0.2) * 10, 10),
      `${Math.round(usage * 100)}% of today's budget used`,
    );
  }
  if (s.friendDeletions24h !== null && s.friends !== null && s.friendDeletions24h > 0) {
    const rate = s.friendDeletions24h / Math.max(1, s.friends + s.friendDeletions24h);
    take(
      'friend_deletions',
      capped(rate * 1000, 30),
      `${s.friendDeletions24h} friends deleted the account in 24 h`,
    );
  }
  if (s.devicesLoggedIn !== null) {
    take('devices', capped(10 * (s.devicesLoggedIn - 1), 20), `${s.devicesLoggedIn} devices logged in`);
  }
  if (s.ipChanges7d !== null)
    take('ip_changes', capped(5 * (s.ipChanges7d - 3), 20), `${s.ipChanges7d} IP changes in 7 days`);
  if (s.forwardRatio !== null) {
    take(
      'forward_ratio',
      capped((s.forwardRatio - 0.3) * 50, 35),
      `${Math.round(s.forwardRatio * 100)}% forwards`,
    );
  }
  if (s.reports30d !== null)
    take('reports', capped(15 * s.reports30d, 45), `${s.reports30d} reports in 30 days`);
  if (s.paymentFlagged) take('payment', 20, 'payment behaviour flagged');
  const score = capped(100 - parts.reduce((sum, p) => sum + p.penalty, 0), 100);
  return { score: Math.round(score * 10) / 10, parts };
}
