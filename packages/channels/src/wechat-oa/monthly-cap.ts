import {
  type OutboundBatch,
  type PluginState,
  readMany,
  type SendContext,
  type SendOutcome,
  writeMany,
} from '@qunfa/core';
import type { MassGroup } from './mass-send.js';
import type { WechatOaConfig } from './options.js';

/** A service account's follower receives at most 4 mass messages a calendar month; WeChat filters the rest. */
export const MASS_PER_MONTH = 4;
const CHINA_MS = 8 * 3600_000;

/** The China-time calendar month of `now` (`2025-03`) and the instant it ends. */
export function chinaMonth(now: Date): { key: string; end: Date } {
  const china = new Date(now.getTime() + CHINA_MS);
  const end = Date.UTC(china.getUTCFullYear(), china.getUTCMonth() + 1, 1) - CHINA_MS;
  return { key: china.toISOString().slice(0, 7), end: new Date(end) };
}

const monthKey = (month: string, openid: string) => `mass-month/${month}/${openid}`;

/** What makes a send one send for the quota: the batch's key and the content (a retry repeats both). */
export const sendKeyOf = (batch: OutboundBatch, group: MassGroup) => `${batch.idempotencyKey}|${group.key}`;

/**
 * Mass messages each follower got from the account this month through the channel, the send
 * `except` left out (a retry of a send is not a second one: it filters the same followers, so its
 * openid list and `clientmsgid` stay the same and WeChat drops the repeat).
 */
export async function usedThisMonth(
  state: PluginState,
  openids: readonly string[],
  now: Date,
  except: string,
): Promise<number[]> {
  const { key } = chinaMonth(now);
  const sends = await readMany<string[]>(
    state,
    openids.map((o) => monthKey(key, o)),
  );
  return sends.map((list) => (list ?? []).filter((s) => s !== except).length);
}

/**
 * Records that send `sendKey` reached these followers this month (once per send, however often it
 * is recorded). Two workers recording for the same follower at the same instant may keep one of
 * the two: WeChat's own filter still holds then, the preview counts from deliveries.
 */
export async function recordMonthly(
  state: PluginState,
  openids: readonly string[],
  sendKey: string,
  now: Date,
): Promise<void> {
  const { key, end } = chinaMonth(now);
  const ttl = end.getTime() - now.getTime() + 24 * 3600_000;
  const keys = openids.map((o) => monthKey(key, o));
  const lists = await readMany<string[]>(state, keys);
  // Read and written in two round trips where the backend has getMany/setMany (10,000 followers a send).
  const changed = keys.flatMap((k, i) => {
    const list = lists[i] ?? [];
    return list.includes(sendKey) ? [] : [{ key: k, value: [...list, sendKey].slice(-16) }];
  });
  await writeMany(state, changed, ttl);
}

/**
 * A service account's openid-list send without the followers who already got this month's 4 mass
 * messages: WeChat would filter them (多于4条的群发将对该用户发送失败), so they are reported `filtered`
 * and left out of the call. A subscription account and a platform job (WeChat picks the tag's
 * followers) are left as they are.
 */
export async function withoutCapped(
  config: WechatOaConfig,
  batch: OutboundBatch,
  group: MassGroup,
  ctx: SendContext,
): Promise<{ group: MassGroup; filtered: SendOutcome[] }> {
  if (config.accountType !== 'service' || batch.job) return { group, filtered: [] };
  const now = ctx.now();
  const used = await usedThisMonth(
    ctx.state,
    group.messages.map((m) => m.address),
    now,
    sendKeyOf(batch, group),
  );
  const month = chinaMonth(now).key;
  const reason = `the follower already received ${MASS_PER_MONTH} mass messages from the account in ${month} (China time): WeChat filters a fifth`;
  const keep = group.messages.filter((_, i) => used[i]! < MASS_PER_MONTH);
  const filtered = group.messages
    .filter((_, i) => used[i]! >= MASS_PER_MONTH)
    .map((m): SendOutcome => ({ id: m.id, status: 'filtered', reason }));
  return { group: { ...group, messages: keep }, filtered };
}
