import type { DeliveryEvent, FailureClass } from '@qunfa/core';
import { classifySmtpReply } from './smtp-errors.js';

/** One recipient's part of a delivery status notification (RFC 3464). */
export interface DsnRecipient {
  finalRecipient: string;
  action: string;
  status: string;
  diagnostic: string | undefined;
}

/** A bounce as read: the message it is about, and what happened per recipient. */
export interface ParsedBounce {
  /** The Message-ID of the original message (without angle brackets), when the bounce names it. */
  originalMessageId: string | undefined;
  recipients: DsnRecipient[];
  /** When the reporting server wrote it (its Date header). */
  at: Date | undefined;
}

/** RFC 3464 fields (RFC 822 style, folded lines unfolded), by lower-case name. */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

const typed = (value: string | undefined) => value?.replace(/^[a-z0-9-]+;\s*/i, '').trim();

/** The per-recipient blocks of a `message/delivery-status` body (those with a Final-Recipient). */
export function parseDeliveryStatus(body: string): DsnRecipient[] {
  const blocks = body.split(/\r?\n\s*\r?\n/).filter((b) => b.trim() !== '');
  return blocks.flatMap((block) => {
    const f = fieldsOf(block);
    const recipient = typed(f.get('final-recipient') ?? f.get('original-recipient'));
    const action = f.get('action')?.toLowerCase();
    const status = f.get('status')?.match(/[245]\.\d{1,3}\.\d{1,3}/)?.[0];
    if (!recipient || !action || !status) return [];
    return [{ finalRecipient: recipient, action, status, diagnostic: typed(f.get('diagnostic-code')) }];
  });
}

const messageIdIn = (headers: string) => headers.match(/^message-id:\s*<([^<>\s]+)>/im)?.[1];

/**
 * Reads a bounce: a DSN (`multipart/report; report-type=delivery-status`, RFC 3464/6522) with the
 * original message or its headers attached. A message that is not a DSN yields no recipients.
 */
export async function parseBounce(raw: string | Buffer): Promise<ParsedBounce> {
  // Loaded when a bounce arrives (~30 MB resident), not by every process that loads the channels.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true });
  let recipients: DsnRecipient[] = [];
  let original: string | undefined;
  for (const part of mail.attachments) {
    const type = part.contentType.toLowerCase();
    const text = part.content.toString('utf8');
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status')
      recipients = parseDeliveryStatus(text);
    else if (type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/global-headers')
      original ??= messageIdIn(text);
  }
  // mailparser shows a `message/delivery-status` part inline, as text: its fields are there.
  if (recipients.length === 0 && mail.text) recipients = parseDeliveryStatus(mail.text);
  if (original === undefined) {
    // The original attached whole (message/rfc822) is shown inline too: its Message-ID is the one that is not the bounce's.
    const own = mail.messageId?.replace(/[<>]/g, '');
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    for (const m of text.matchAll(/^message-id:\s*<([^<>\s]+)>/gim)) if (m[1] !== own) original ??= m[1];
  }
  const inReplyTo =
    typeof mail.inReplyTo === 'string' ? mail.inReplyTo.replace(/[<>]/g, '').trim() : undefined;
  return { originalMessageId: original ?? (inReplyTo || undefined), recipients, at: mail.date };
}

/** The failure a DSN status stands for (5.x.x permanent, 4.x.x only a delay). */
function failureOf(r: DsnRecipient): FailureClass {
  const code = Number(r.diagnostic?.match(/\b([45]\d\d)\b/)?.[1] ?? (r.status.startsWith('5') ? 550 : 450));
  return classifySmtpReply(code, `${code} ${r.status} ${r.diagnostic ?? ''}`);
}

/**
 * The delivery events a bounce stands for: each recipient whose action is `failed` marks the
 * original message failed with its class; `delayed`, `delivered`, `relayed` and `expanded` are
 * not final and write nothing. Matched by the original Message-ID (the provider message id).
 */
export function bounceEvents(bounce: ParsedBounce, fallbackAt: Date): DeliveryEvent[] {
  if (!bounce.originalMessageId) return [];
  const failed = bounce.recipients.filter((r) => r.action === 'failed');
  if (failed.length === 0) return [];
  const first = failed[0]!;
  return [
    {
      providerMessageId: bounce.originalMessageId,
      state: 'failed',
      at: bounce.at ?? fallbackAt,
      failure: failureOf(first),
      error: `bounced ${first.status}${first.diagnostic ? `: ${first.diagnostic}` : ''}`
        .split(first.finalRecipient)
        .join('<recipient>')
        .slice(0, 200),
    },
  ];
}
