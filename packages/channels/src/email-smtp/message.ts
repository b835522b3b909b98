import type { OutboundBatch, OutboundMessage } from '@qunfa/core';
import { htmlToText, isHtml, textToHtml, withOpenPixel } from './body.js';
import type { EmailSmtpConfig } from './options.js';

/** What nodemailer gets for one recipient. */
export interface MailFor {
  messageId: string;
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  envelope: { from: string; to: string[] };
}

/**
 * The deterministic Message-ID of a delivery (RFC 5322 msg-id): the same delivery sent again —
 * a recovered batch, a resend — carries the same id, so a copy is recognisable, and the id is
 * what bounces and receipts name. Without angle brackets it is the provider message id.
 */
export function messageIdOf(config: EmailSmtpConfig, batch: OutboundBatch, message: OutboundMessage): string {
  return `qunfa.${batch.campaignId}.${message.id}@${config.messageIdDomain}`;
}

/** The mail for one recipient, or a reason it cannot be sent. */
export function mailFor(
  config: EmailSmtpConfig,
  batch: OutboundBatch,
  message: OutboundMessage,
): MailFor | string {
  const { content } = message;
  if (!['email', 'text', 'markdown'].includes(content.type))
    return `e-mail cannot carry ${content.type} content`;
  const subject = (content.subject ?? config.defaultSubject).trim();
  if (subject === '') return 'an e-mail needs a subject';
  if (/[\r\n]/.test(subject)) return 'the subject has a line break';
  const written = isHtml(content.text);
  const text = written ? htmlToText(content.text) : content.text;
  // Only HTML the author wrote carries the pixel: a text mail's HTML part is our rendering of it.
  const html = !written
    ? textToHtml(content.text)
    : message.openPixelUrl
      ? withOpenPixel(content.text, message.openPixelUrl)
      : content.text;
  const headers: Record<string, string> = {};
  if (message.unsubscribeUrl) {
    // RFC 2369 + RFC 8058: mailbox providers offer one-click unsubscribe by POSTing to it.
    headers['List-Unsubscribe'] = `<${message.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  headers['X-Qunfa-Campaign'] = batch.campaignId;
  return {
    messageId: `<${messageIdOf(config, batch, message)}>`,
    from: config.from,
    to: message.address,
    ...(config.replyTo ? { replyTo: config.replyTo } : {}),
    subject,
    text,
    html,
    headers,
    envelope: { from: config.returnPath, to: [message.address] },
  };
}
