import { createHash } from 'node:crypto';
import type { OutboundBatch, OutboundMessage, SendOutcome } from '@qunfa/core';
import { sortSendable } from '../sms/sendable.js';

/** Documented: SendSms takes up to 200 numbers, all mainland or all international. */
export const SEND_SMS_MAX = 200;

export interface TencentChunk {
  templateId: string;
  /** The template's values in order (TemplateParamSet is positional). */
  params: string[];
  sessionContext: string;
  messages: { message: OutboundMessage; phone: string }[];
}

/** The deterministic SessionContext of the `index`-th call of a batch (< 512 bytes), echoed in receipts. */
export const sessionContextOf = (idempotencyKey: string, index: number) =>
  `q${createHash('sha256').update(`${idempotencyKey}\u0000${index}`).digest('hex').slice(0, 40)}`;

/**
 * One call per template, parameter set and region (mainland / international) and 200 numbers;
 * free text and malformed numbers answered at once. The same batch gives the same calls.
 */
export function planTencentChunks(
  batch: OutboundBatch,
  templates: Record<string, string> = {},
): { chunks: TencentChunk[]; refused: SendOutcome[] } {
  const { sendable, refused } = sortSendable(batch, templates);
  const groups = new Map<
    string,
    { templateId: string; params: string[]; messages: TencentChunk['messages'] }
  >();
  for (const { message, template, phone } of sendable) {
    const params = template.params.map(([, v]) => v);
    const key = JSON.stringify([template.templateId, params, phone.e164.startsWith('+86')]);
    const group = groups.get(key) ?? { templateId: template.templateId, params, messages: [] };
    group.messages.push({ message, phone: phone.e164 });
    groups.set(key, group);
  }
  const chunks: TencentChunk[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.messages.length; i += SEND_SMS_MAX) {
      chunks.push({
        templateId: group.templateId,
        params: group.params,
        sessionContext: sessionContextOf(batch.idempotencyKey, chunks.length),
        messages: group.messages.slice(i, i + SEND_SMS_MAX),
      });
    }
  }
  return { chunks, refused };
}
