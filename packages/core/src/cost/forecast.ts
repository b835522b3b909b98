import type { Campaign } from '../domain/campaign.js';
import type { SuppressionReason } from '../domain/contact.js';
import type { Finding } from '../domain/finding.js';
import { batchWaitReasons } from '../domain/waiting.js';
import { rotation } from '../engine/accounts.js';
import { calendarDay } from '../engine/calendar-day.js';
import { checkRecipients } from '../engine/compliance.js';
import { limiterKey } from '../engine/pacing.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { PlanPreview } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';
import { type ChannelPrice, costOf, priceFor, roundAmount, segmentsOf } from './prices.js';

/** One channel of a dry run: who it would carry, what they cost, when its last message goes. */
export interface ChannelForecast {
  channel: string;
  /** Messages the channel would send (recipient rules and quotas applied). */
  messages: number;
  /** An A/B test's rest on this channel, sent with the winner once the test is decided (not in `messages`). */
  waitingForAbDecision: number;
  /** Billed SMS segments (1 a message off SMS). */
  segments: number;
  /** Null when the channel has no price; then it is listed in `Forecast.unpriced`. */
  cost: number | null;
  currency: string | null;
  lastSendAt: Date | null;
}

/** A dry run: what a start would do now, from the audience to the last message and its cost. */
export interface Forecast {
  at: Date;
  /** Recipients the plan writes, suppressed ones included. */
  recipients: number;
  /** Messages that would be sent, all channels. */
  messages: number;
  /** Left out when planning (unsubscribed, complained, no address, A/B hold-out…). */
  suppressedAtPlan: Partial<Record<SuppressionReason, number>>;
  /**
   * Recipients planned on a later step of the plan because an earlier one that could address
   * them has no daily quota left for them on the day the first batch is due (`PlanSummary.movedForQuota`).
   */
  movedForQuota: { from: string; to: string; count: number }[];
  /** Left out by recipient rules at send time (frequency cap, platform caps…), by reason. */
  suppressedAtSend: Record<string, number>;
  /** Recipients deferred at least once, by reason (quiet hours, a quota reached…), and until when at the latest. */
  deferred: { reason: string; count: number; lastUntil: Date }[];
  waitingForAbDecision: number;
  channels: ChannelForecast[];
  /** Total cost per currency, of the priced channels. */
  cost: { currency: string; amount: number }[];
  /** Channels that would send without a configured price. */
  unpriced: string[];
  firstSendAt: Date | null;
  /** When the last message would go out (ETA); null when nothing would be sent. */
  finishAt: Date | null;
  /** Findings of the checks a start runs; a `block` one would refuse the start. */
  findings: Finding[];
}

export interface ForecastInput {
  campaign: Campaign;
  preview: PlanPreview;
  registry: Registry;
  limiter: RateLimiter;
  timeZone: string;
  prices: readonly ChannelPrice[];
  findings: Finding[];
  now: Date;
}

/** A batch on the simulated timeline. */
interface Pending {
  at: number;
  seq: number;
  channel: string;
  account: string | null;
  size: number;
  recipients: PlanPreview['batches'][number]['recipients'];
  /** Given back for a quota this many times; a batch no day can take is dropped after a year. */
  releases: number;
}

/** An account's token bucket and daily quotas, as the engine's pacing would meet them. */
interface AccountState {
  tokens: number | undefined;
  tokensAt: number;
  used: Map<number, number>;
}

/** Inserts by time, then seq (stable): the order the engine's due-batch scan takes them in. */
function insert(queue: Pending[], item: Pending): void {
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = queue[mid]!;
    if (m.at < item.at || (m.at === item.at && m.seq <= item.seq)) lo = mid + 1;
    else hi = mid;
  }
  queue.splice(lo, 0, item);
}

/**
 * Runs the previewed batches through the same recipient rules, daily quotas (what the shared
 * limiter says is used today) and token-bucket rates the engine's workers meet, on a simulated
 * clock: deferred recipients come back when their rule says, a batch over the day's quota at the
 * day's end. Provider latency and other campaigns competing for the same accounts are not
 * modelled: the ETA is the earliest the limits allow.
 */
export async function forecastCampaign(input: ForecastInput): Promise<Forecast> {
  const { campaign, preview, registry } = input;
  const queue: Pending[] = [];
  for (const b of preview.batches) {
    insert(queue, {
      at: Math.max(b.dueAt.getTime(), input.now.getTime()),
      seq: b.seq,
      channel: b.channel,
      account: b.account,
      size: b.size,
      recipients: b.recipients,
      releases: 0,
    });
  }
  const accounts = new Map<string, AccountState>();
  const perChannel = new Map<string, ChannelForecast & { costs: Map<string | null, number> }>();
  const channelEntry = (name: string) => {
    let entry = perChannel.get(name);
    if (!entry) {
      entry = {
        channel: name,
        messages: 0,
        waitingForAbDecision: 0,
        segments: 0,
        cost: null,
        currency: null,
        lastSendAt: null,
        costs: new Map(),
      };
      perChannel.set(name, entry);
    }
    return entry;
  };
  const suppressedAtSend: Record<string, number> = {};
  const deferred = new Map<string, { count: number; lastUntil: number }>();
  const deferredOnce = new Set<string>();
  const noteDeferral = (reason: string, until: number, deliveryIds: string[]) => {
    const entry = deferred.get(reason) ?? { count: 0, lastUntil: until };
    for (const id of deliveryIds) {
      const key = `${reason}\u0000${id}`;
      if (deferredOnce.has(key)) continue;
      deferredOnce.add(key);
      entry.count++;
    }
    entry.lastUntil = Math.max(entry.lastUntil, until);
    deferred.set(reason, entry);
  };
  const unpriced = new Set<string>();
  const segmentsByVariant = new Map<string, number>();
  const segmentsFor = (channel: ChannelPlugin, variantId: string | null) => {
    const key = `${channel.name}\u0000${variantId}`;
    let n = segmentsByVariant.get(key);
    if (n === undefined) {
      const variant = campaign.variants.find((v) => v.id === variantId) ?? campaign.variants[0];
      n = variant ? segmentsOf(variant.content, channel.limits) : 1;
      segmentsByVariant.set(key, n);
    }
    return n;
  };
  let firstSendAt: number | null = null;
  let finishAt: number | null = null;
  const yearMs = 366 * 86_400_000;
  const accountState = (key: string, at: number) => {
    let state = accounts.get(key);
    if (!state) {
      state = { tokens: undefined, tokensAt: at, used: new Map() };
      accounts.set(key, state);
    }
    return state;
  };
  /** An account's daily quota left at `at`: what the shared limiter says is used today, less what this run took. */
  const quotaLeft = async (account: string | null, at: number, channel: ChannelPlugin) => {
    const key = limiterKey({ channel: channel.name, account });
    const state = accountState(key, at);
    const limit = channel.limits.maxSendsPerDay;
    if (limit === undefined)
      return { state, left: Number.POSITIVE_INFINITY, dayEnd: Number.POSITIVE_INFINITY, take: () => {} };
    const day = calendarDay(new Date(at), input.timeZone);
    const dayKey = day.start.getTime();
    let used = state.used.get(dayKey);
    if (used === undefined) {
      // Asking for nothing reads what other campaigns took from the shared quota today.
      const { remaining } = await input.limiter.consumeQuota(key, 0, {
        limit,
        start: day.start,
        end: day.end,
      });
      used = limit - remaining;
      state.used.set(dayKey, used);
    }
    const taken = used;
    return {
      state,
      left: limit - taken,
      dayEnd: day.end.getTime(),
      take: (n: number) => void state.used.set(dayKey, taken + n),
    };
  };

  while (queue.length > 0) {
    const item = queue.shift()!;
    const channel = registry.channel(item.channel);
    const byId = new Map(item.recipients.map((r) => [r.deliveryId, r]));
    const verdicts = await checkRecipients(
      item.recipients.map((r) => ({
        deliveryId: r.deliveryId,
        contactId: r.contactId,
        channel: channel.name,
      })),
      registry.rules,
      { campaign, now: new Date(item.at) },
    );
    const allowed: Pending['recipients'] = [];
    const later = new Map<number, { reason: string; recipients: Pending['recipients'] }>();
    for (const [id, verdict] of verdicts) {
      const recipient = byId.get(id)!;
      if (verdict.action === 'suppress') {
        suppressedAtSend[verdict.reason] = (suppressedAtSend[verdict.reason] ?? 0) + 1;
      } else if (verdict.action === 'defer') {
        const until = Math.max(verdict.until.getTime(), item.at + 1);
        const group = later.get(until) ?? { reason: verdict.reason, recipients: [] };
        group.recipients.push(recipient);
        later.set(until, group);
        noteDeferral(verdict.reason, until, [id]);
      } else allowed.push(recipient);
    }
    for (const [until, group] of later) {
      insert(queue, { ...item, at: until, recipients: group.recipients });
    }
    if (allowed.length === 0) continue;

    const { ratePerSecond } = channel.limits;
    // The engine takes the first account in rotation with quota left; with none, the batch waits for the day's end.
    const candidates = channel.accounts.length === 0 ? [item.account] : rotation(channel.accounts, item);
    let account: string | null | undefined;
    let state: AccountState | undefined;
    let dayEnd = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const quota = await quotaLeft(candidate, item.at, channel);
      if (quota.left >= allowed.length) {
        account = candidate;
        state = quota.state;
        quota.take(allowed.length);
        break;
      }
      dayEnd = Math.min(dayEnd, quota.dayEnd);
    }
    if (state === undefined || account === undefined) {
      if (item.at - input.now.getTime() < yearMs && Number.isFinite(dayEnd)) {
        insert(queue, { ...item, at: dayEnd, recipients: allowed, releases: item.releases + 1 });
        noteDeferral(
          batchWaitReasons.quotaReached,
          dayEnd,
          allowed.map((r) => r.deliveryId),
        );
      }
      continue;
    }
    let sendAt = item.at;
    if (ratePerSecond !== undefined && ratePerSecond > 0) {
      const burst = Math.max(ratePerSecond, item.size);
      const tokens =
        state.tokens === undefined
          ? burst
          : Math.min(burst, state.tokens + ((item.at - state.tokensAt) * ratePerSecond) / 1000);
      if (tokens >= allowed.length) {
        state.tokens = tokens - allowed.length;
      } else {
        sendAt = item.at + Math.ceil(((allowed.length - tokens) * 1000) / ratePerSecond);
        state.tokens = 0;
      }
      state.tokensAt = Math.max(item.at, sendAt);
    }
    const entry = channelEntry(channel.name);
    const price = priceFor(input.prices, channel.name, account);
    if (!price) unpriced.add(channel.name);
    for (const r of allowed) {
      const segments = segmentsFor(channel, r.variantId);
      entry.segments += segments;
      if (price) {
        entry.currency = price.currency;
        entry.costs.set(price.currency, (entry.costs.get(price.currency) ?? 0) + costOf(price, 1, segments));
      }
    }
    entry.messages += allowed.length;
    entry.lastSendAt = new Date(Math.max(entry.lastSendAt?.getTime() ?? 0, sendAt));
    firstSendAt = Math.min(firstSendAt ?? sendAt, sendAt);
    finishAt = Math.max(finishAt ?? sendAt, sendAt);
  }

  for (const w of preview.waiting) {
    const entry = channelEntry(w.channel);
    entry.waitingForAbDecision += w.count;
    // The rest goes with the winner, unknown yet: priced at the dearest variant's segments.
    const channel = registry.channel(w.channel);
    const segments = Math.max(...campaign.variants.map((v) => segmentsOf(v.content, channel.limits)), 1);
    const price = priceFor(input.prices, w.channel, null);
    entry.segments += w.count * segments;
    if (price) {
      entry.currency = price.currency;
      entry.costs.set(
        price.currency,
        (entry.costs.get(price.currency) ?? 0) + costOf(price, w.count, segments),
      );
    } else unpriced.add(w.channel);
  }

  const totals = new Map<string, number>();
  const channels: ChannelForecast[] = [];
  for (const { costs, ...entry } of perChannel.values()) {
    let cost: number | null = null;
    for (const [currency, amount] of costs) {
      if (currency === null) continue;
      cost = roundAmount((cost ?? 0) + amount);
      totals.set(currency, roundAmount((totals.get(currency) ?? 0) + amount));
    }
    channels.push({ ...entry, cost: costs.size > 1 ? null : cost });
  }
  return {
    at: input.now,
    recipients: preview.summary.total,
    messages: channels.reduce((n, c) => n + c.messages, 0),
    suppressedAtPlan: preview.summary.suppressed,
    movedForQuota: preview.summary.movedForQuota ?? [],
    suppressedAtSend,
    deferred: [...deferred].map(([reason, d]) => ({
      reason,
      count: d.count,
      lastUntil: new Date(d.lastUntil),
    })),
    waitingForAbDecision: preview.summary.waiting,
    channels,
    cost: [...totals].map(([currency, amount]) => ({ currency, amount })),
    unpriced: [...unpriced].sort(),
    firstSendAt: firstSendAt === null ? null : new Date(firstSendAt),
    finishAt: finishAt === null ? null : new Date(finishAt),
    findings: input.findings,
  };
}
