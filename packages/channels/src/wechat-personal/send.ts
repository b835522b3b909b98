import type { OutboundBatch, OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import { type AccountBudgets, type Counter, limitOf, warmingUp } from './budgets.js';
import type { AccountPolicy } from './policy.js';
import type { PuppetLike } from './puppet.js';
import type { AccountRecord } from './records.js';
import { isRiskSignal } from './risk.js';

export interface SendDeps {
  budgets: AccountBudgets;
  riskPatterns: readonly string[];
  riskCodes: readonly (string | number)[];
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  /** Makes what the puppet sends for an image URL (a FileBox). */
  imageFile(url: string): Promise<unknown>;
  /** Called once on a risk signal, before the batch's outcomes are returned. */
  onRisk(account: string, reason: string): Promise<void>;
}

const failed = (
  m: OutboundMessage,
  failure: Extract<SendOutcome, { status: 'failed' }>['failure'],
  error: string,
  retryAfterMs?: number,
): SendOutcome => ({
  id: m.id,
  status: 'failed',
  failure,
  error,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

export const isGroup = (address: string) => address.endsWith('@chatroom');

/** Why the account cannot send to this address, or undefined when it can: a friend, or a group it is in. */
export async function unreachable(
  puppet: PuppetLike,
  address: string,
  rooms: Set<string>,
): Promise<string | undefined> {
  if (isGroup(address) || rooms.has(address)) {
    if (!rooms.has(address)) return 'the account is not in this group (left or removed)';
    const room = await puppet.roomPayload(address).catch(() => undefined);
    const members = room?.memberIdList ?? [];
    if (members.length > 0 && !members.includes(puppet.currentUserId)) {
      return 'the account is not in this group (left or removed)';
    }
    return undefined;
  }
  const contact = await puppet.contactPayload(address).catch(() => undefined);
  return contact?.friend === true ? undefined : 'not a friend of this account';
}

/** Budgets one message takes: recipients (warm-up), friend or group messages, images. */
function countersOf(message: OutboundMessage, group: boolean): Counter[] {
  return [
    'recipients',
    group ? 'group_messages' : 'friend_messages',
    ...(message.content.type === 'image' ? (['images'] as const) : []),
  ];
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);

/**
 * One mass send of one account: each message in turn, a random pause between two, each
 * checked against the policy and the day's budgets. A risk signal stops the send at once:
 * that message and the rest fail `account_restricted` (not sent, moved by the engine).
 */
export async function sendAsAccount(
  deps: SendDeps,
  batch: OutboundBatch,
  ctx: SendContext,
  account: { record: AccountRecord; puppet: PuppetLike; policy: AccountPolicy },
): Promise<SendOutcome[]> {
  const { record, puppet, policy } = account;
  const now = ctx.now();
  const untilDayEnd = () => Math.max(0, deps.budgets.dayEnd(ctx.now()).getTime() - ctx.now().getTime());
  if (!(await deps.budgets.take(record.id, 'mass_sends', 1, policy.massSendsPerDay, now))) {
    return batch.messages.map((m) =>
      failed(
        m,
        'rate_limited',
        `the account's ${policy.massSendsPerDay} mass sends today are used`,
        untilDayEnd(),
      ),
    );
  }
  const warm = warmingUp(record.firstLoginAt, policy, now);
  const rooms = new Set(await puppet.roomList());
  const outcomes: SendOutcome[] = [];
  let sentCount = 0;
  let stopped: string | undefined;
  for (const [i, message] of batch.messages.entries()) {
    if (stopped !== undefined) {
      outcomes.push(failed(message, 'account_restricted', stopped));
      continue;
    }
    if (i >= policy.recipientsPerSend) {
      outcomes.push(
        failed(
          message,
          'rate_limited',
          `over the account's ${policy.recipientsPerSend} recipients a send`,
          0,
        ),
      );
      continue;
    }
    const { content } = message;
    if (content.type !== 'text' && content.type !== 'image') {
      outcomes.push(
        failed(message, 'content_rejected', `personal WeChat sends text or images, not ${content.type}`),
      );
      continue;
    }
    if (content.type === 'text' && [...content.text].length > policy.maxTextLength) {
      outcomes.push(
        failed(message, 'content_rejected', `text longer than ${policy.maxTextLength} characters`),
      );
      continue;
    }
    const why = await unreachable(puppet, message.address, rooms);
    if (why) {
      outcomes.push(failed(message, 'invalid_recipient', why));
      continue;
    }
    const counters = countersOf(message, rooms.has(message.address));
    const taken: Counter[] = [];
    for (const counter of counters) {
      if (!(await deps.budgets.take(record.id, counter, 1, limitOf(counter, policy, warm), ctx.now()))) break;
      taken.push(counter);
    }
    const giveBack = () =>
      Promise.all(taken.map((c) => deps.budgets.give(record.id, c, 1, limitOf(c, policy, warm), ctx.now())));
    if (taken.length < counters.length) {
      await giveBack();
      const counter = counters[taken.length] as Counter;
      outcomes.push(
        failed(
          message,
          'rate_limited',
          `the account's daily budget of ${counter.replace('_', ' ')} is used`,
          untilDayEnd(),
        ),
      );
      continue;
    }
    if (sentCount > 0) {
      const { min, max } = policy.delayMs;
      await deps.sleep(min + Math.floor(deps.random() * (max - min + 1)), ctx.signal);
    }
    try {
      const id =
        content.type === 'image'
          ? await puppet.messageSendFile(message.address, await deps.imageFile(content.text))
          : await puppet.messageSendText(message.address, content.text);
      sentCount++;
      await deps.budgets.take(record.id, 'sent', 1, Number.MAX_SAFE_INTEGER, ctx.now());
      outcomes.push({
        id: message.id,
        status: 'sent',
        ...(typeof id === 'string' && id ? { providerMessageId: id } : {}),
      });
    } catch (error) {
      await giveBack();
      await deps.budgets.take(record.id, 'failed', 1, Number.MAX_SAFE_INTEGER, ctx.now());
      if (isRiskSignal(error, deps.riskPatterns, deps.riskCodes)) {
        stopped = `risk signal: ${messageOf(error)}`;
        await deps.onRisk(record.id, stopped);
        outcomes.push(failed(message, 'account_restricted', stopped));
      } else {
        outcomes.push(failed(message, 'network', messageOf(error)));
      }
    }
  }
  // A mass send that reached nobody does not count against the day's mass sends.
  if (sentCount === 0) await deps.budgets.give(record.id, 'mass_sends', 1, policy.massSendsPerDay, ctx.now());
  return outcomes;
}
