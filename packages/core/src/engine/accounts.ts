import { accountUsable } from '../domain/account.js';
import type { Batch } from '../domain/delivery.js';
import { batchWaitReasons } from '../domain/waiting.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import { channelContext } from './channel-context.js';
import type { EngineContext } from './deps.js';
import { pace } from './pacing.js';

export type AccountChoice =
  | { status: 'go'; account: string | null; refund(): Promise<void> }
  | { status: 'release'; until: Date; reason: string }
  | { status: 'lost' };

/** The channel's accounts in rotation order, starting at the batch's planned one (or by its seq). */
export function rotation(accounts: readonly string[], batch: Pick<Batch, 'account' | 'seq'>): string[] {
  if (accounts.length === 0) return [];
  const planned = batch.account === null ? -1 : accounts.indexOf(batch.account);
  const start = planned >= 0 ? planned : batch.seq % accounts.length;
  return [...accounts.slice(start), ...accounts.slice(0, start)];
}

/**
 * Picks the account a batch goes out on: the first in rotation that is usable (healthy, or
 * its cool-down over) and has `count` sends of daily quota left, then waits for its rate
 * tokens. With none, the batch waits until the earliest cool-down or quota window ends.
 */
export async function chooseAccount(
  ctx: EngineContext,
  batch: Batch,
  channel: ChannelPlugin,
  count: number,
): Promise<AccountChoice> {
  if (channel.accounts.length === 0) {
    const paced = await pace(ctx, batch, channel, count);
    return paced.status === 'go' ? { ...paced, account: null } : paced;
  }
  const now = ctx.clock.now();
  const health = new Map((await ctx.store.accountHealth(channel.name)).map((h) => [h.account, h]));
  // The batch waits for the account that frees up first, and says what it waits for.
  let earliest: { at: Date; reason: string } | undefined;
  const consider = (at: Date | null, reason: string) => {
    if (at && (!earliest || at < earliest.at)) earliest = { at, reason };
  };
  // With several accounts, first an account whose rate tokens are there now; only when none has
  // them are tokens reserved ahead, on the first account that was short of them (reserving on
  // every account would hold tokens on all of them for one batch).
  const several = channel.accounts.length > 1;
  let short: string | undefined;
  for (const account of rotation(channel.accounts, batch)) {
    const h = health.get(account);
    if (!accountUsable(h, now)) {
      if (h?.state === 'cooling') consider(h.until, batchWaitReasons.accountCooldown);
      continue;
    }
    if (channel.accountReady) {
      const signal = new AbortController().signal;
      const readiness = await channel.accountReady(
        account,
        { workspaceId: batch.workspaceId, count },
        channelContext(ctx, channel, signal),
      );
      if (!readiness.ready) {
        consider(readiness.until, readiness.reason);
        continue;
      }
    }
    const paced = await pace(ctx, { ...batch, account }, channel, count, several ? 0 : undefined);
    if (paced.status === 'go') return { ...paced, account };
    if (paced.status === 'lost') return paced;
    if (several && paced.reason === batchWaitReasons.rateLimited) short ??= account;
    else consider(paced.until, paced.reason);
  }
  if (short !== undefined) {
    const paced = await pace(ctx, { ...batch, account: short }, channel, count);
    if (paced.status === 'go') return { ...paced, account: short };
    if (paced.status === 'lost') return paced;
    consider(paced.until, paced.reason);
  }
  // Every account restricted: look again later rather than spin; an operator must act.
  return earliest
    ? { status: 'release', until: earliest.at, reason: earliest.reason }
    : {
        status: 'release',
        until: new Date(now.getTime() + ctx.errorRetryDelayMs),
        reason: batchWaitReasons.accountCooldown,
      };
}

/** Cools down each account that reported `account_restricted` in this batch. */
export async function coolDownRestricted(
  ctx: EngineContext,
  channel: ChannelPlugin,
  accounts: Iterable<string>,
  cooldownMs: number,
  reason: string,
): Promise<void> {
  const now = ctx.clock.now();
  for (const account of new Set(accounts)) {
    await ctx.store.setAccountHealth(
      {
        channel: channel.name,
        account,
        state: 'cooling',
        until: new Date(now.getTime() + cooldownMs),
        reason,
        updatedAt: now,
      },
      { kind: 'worker', id: ctx.workerId },
    );
    ctx.logger.warn('sender account cooling down', { plugin: channel.name, account, cooldownMs });
  }
}
