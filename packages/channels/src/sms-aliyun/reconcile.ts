import type { SendContext } from '@qunfa/core';
import { chinaDate } from '../sms/china-time.js';
import type { Chunk, ChunkMessage } from './chunks.js';
import type { AliyunSendDetail, AliyunSmsClient } from './client.js';

const PAGE_SIZE = 50;
const MAX_PAGES = 20;
const DAY_MS = 86_400_000;
/** How long Aliyun keeps records (QuerySendDetails covers 30 days), and so our keys. */
export const RECORD_TTL_MS = 31 * DAY_MS;

/** Plugin-state key of the BizId Aliyun returned for a call. */
export const bizKey = (outId: string) => `biz/${outId}`;
/** Plugin-state key marking a call found by `QuerySendDetails` alone: its receipts are keyed by OutId. */
export const reconciledKey = (outId: string) => `reconciled/${outId}`;

/** The provider message id of one number of a call: BizId when Aliyun returned one, else the call's OutId. */
export const providerIdOf = (ref: string, phone: string) => `${ref}:${phone}`;

/**
 * Looks for the call's `OutId` among one number's records of the China days from `since` to now:
 * the record if Aliyun took the call for that number, undefined if it has none.
 */
export async function findRecord(
  client: AliyunSmsClient,
  phone: string,
  outId: string,
  since: Date,
  ctx: SendContext,
): Promise<AliyunSendDetail | undefined> {
  const days = new Set([
    chinaDate(ctx.now()),
    chinaDate(since),
    chinaDate(new Date(ctx.now().getTime() - DAY_MS)),
  ]);
  for (const sendDate of days) {
    for (let page = 1; page <= MAX_PAGES; page++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const { total, details } = await client.querySendDetails({
        phone,
        sendDate,
        page,
        pageSize: PAGE_SIZE,
      });
      const found = details.find((d) => d.outId === outId);
      if (found) return found;
      if (page * PAGE_SIZE >= total || details.length === 0) break;
    }
  }
  return undefined;
}

export type Reconciled =
  | { message: ChunkMessage; found: true }
  | { message: ChunkMessage; found: false }
  | { message: ChunkMessage; found: 'unknown'; error: string };

/** For a call whose answer was lost: which of its numbers Aliyun has a record of. */
export async function reconcileChunk(
  client: AliyunSmsClient,
  chunk: Chunk,
  since: Date,
  ctx: SendContext,
): Promise<Reconciled[]> {
  const results: Reconciled[] = [];
  for (const message of chunk.messages) {
    try {
      const record = await findRecord(client, message.phone, chunk.outId, since, ctx);
      results.push({ message, found: record !== undefined });
    } catch (error) {
      results.push({ message, found: 'unknown', error: error instanceof Error ? error.name : 'error' });
    }
  }
  return results;
}
