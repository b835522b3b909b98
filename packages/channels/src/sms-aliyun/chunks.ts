import { createHash } from 'node:crypto';
import type { OutboundBatch, OutboundMessage, SendOutcome } from '@qunfa/core';
import { sortSendable } from '../sms/sendable.js';

/** Documented: `SendSms` takes up to 1,000 numbers, `SendBatchSms` up to 100. */
export const SEND_SMS_MAX = 1000;
export const SEND_BATCH_SMS_MAX = 100;

export interface ChunkMessage {
  message: OutboundMessage;
  /** The number as Aliyun takes and reports it (11 digits for the mainland). */
  phone: string;
  params: Record<string, string>;
}

/** One API call: its messages, and an `OutId` that a repeat of the same batch reproduces. */
export interface Chunk {
  api: 'SendSms' | 'SendBatchSms';
  templateCode: string;
  outId: string;
  messages: ChunkMessage[];
}

/** The deterministic `OutId` of the `index`-th call of a batch (Aliyun takes < 256 characters). */
export function outIdOf(idempotencyKey: string, index: number): string {
  return `q${createHash('sha256').update(`${idempotencyKey}\u0000${index}`).digest('hex').slice(0, 40)}`;
}

/**
 * Splits a batch into calls: messages Aliyun would refuse are answered at once (free text,
 * malformed numbers), the rest grouped by template; a group whose parameters are all the same
 * goes by `SendSms` (1,000 a call), a personalised one by `SendBatchSms` (100 a call). The same
 * batch always gives the same calls and `OutId`s, so `queryStatus` finds them again.
 */
export function planChunks(
  batch: OutboundBatch,
  templates: Record<string, string> = {},
): { chunks: Chunk[]; refused: SendOutcome[] } {
  const { sendable, refused } = sortSendable(batch, templates);
  const groups = new Map<string, ChunkMessage[]>();
  for (const { message, template, phone } of sendable) {
    const list = groups.get(template.templateId) ?? [];
    list.push({ message, phone: phone.national, params: Object.fromEntries(template.params) });
    groups.set(template.templateId, list);
  }
  const chunks: Chunk[] = [];
  for (const [templateCode, messages] of groups) {
    const first = JSON.stringify(messages[0]?.params ?? {});
    const uniform = messages.every((m) => JSON.stringify(m.params) === first);
    const api = uniform ? 'SendSms' : 'SendBatchSms';
    const size = uniform ? SEND_SMS_MAX : SEND_BATCH_SMS_MAX;
    for (let i = 0; i < messages.length; i += size) {
      chunks.push({
        api,
        templateCode,
        outId: outIdOf(batch.idempotencyKey, chunks.length),
        messages: messages.slice(i, i + size),
      });
    }
  }
  return { chunks, refused };
}
