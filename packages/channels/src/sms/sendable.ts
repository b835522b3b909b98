import type { OutboundBatch, OutboundMessage, SendOutcome } from '@qunfa/core';
import { normalisePhone } from './phone.js';
import { readSmsTemplate, type SmsTemplate } from './template.js';

/** A message a provider can take: its template and its number in both forms. */
export interface SendableSms {
  message: OutboundMessage;
  template: SmsTemplate;
  phone: { national: string; e164: string };
}

/**
 * Sorts a batch's messages into those a provider can take and those it would refuse, answered at
 * once: free text (SMS in China is a pre-approved template) and malformed numbers.
 */
export function sortSendable(
  batch: OutboundBatch,
  templates: Record<string, string>,
): { sendable: SendableSms[]; refused: SendOutcome[] } {
  const sendable: SendableSms[] = [];
  const refused: SendOutcome[] = [];
  for (const message of batch.messages) {
    const template = readSmsTemplate(message.content, templates);
    if (typeof template === 'string') {
      refused.push({ id: message.id, status: 'failed', failure: 'content_rejected', error: template });
      continue;
    }
    const phone = normalisePhone(message.address);
    if (!phone) {
      refused.push({
        id: message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: 'not a mobile number',
      });
      continue;
    }
    sendable.push({ message, template, phone });
  }
  return { sendable, refused };
}
