import type { ChannelLimits, ChannelPlugin } from '@qunfa/core';
import { addressEmail } from './address.js';
import { handleBounceCallback } from './callback.js';
import { type EmailSmtpOptions, parseEmailSmtpOptions } from './options.js';
import { sendEmailBatch } from './send.js';
import { createSmtpTransport, type SmtpTransport } from './transport.js';

/**
 * `channel:email-smtp`: e-mail over SMTP with nodemailer's pooled transport — one personalised
 * message per recipient (text and HTML parts), `List-Unsubscribe` + `List-Unsubscribe-Post`
 * (RFC 8058) to the recipient's `/u/` link, a deterministic Message-ID per delivery as the
 * provider id, reply codes mapped to failure classes, bounces (RFC 3464 DSNs) by webhook.
 */
export function emailSmtp(options: EmailSmtpOptions): ChannelPlugin & { close(): void } {
  const config = parseEmailSmtpOptions(options);
  let transport: SmtpTransport | undefined;
  const limits: ChannelLimits = {
    maxRecipientsPerSend: config.batchSize,
    ...(config.ratePerSecond === undefined ? {} : { ratePerSecond: config.ratePerSecond }),
    ...(config.maxSendsPerDay === undefined ? {} : { maxSendsPerDay: config.maxSendsPerDay }),
    contentTypes: ['email', 'text', 'markdown'],
    receipts: false,
    // SMTP reports no delivery (only bounces, as failures); opens only through the pixel, which
    // goes into HTML e-mail content when the campaign tracks opens.
    receiptStates: { email: [], text: [], markdown: [] },
    openPixel: ['email'],
    recall: false,
    idempotencyKeys: false,
  };
  return {
    kind: 'channel',
    name: config.name,
    limits,
    identityKinds: ['email'],
    accounts: [],
    secrets: ['auth.pass', 'bounceToken'],
    address: addressEmail,
    send(batch, ctx) {
      transport ??= createSmtpTransport(config);
      return sendEmailBatch(config, transport, batch, ctx);
    },
    callback: (request, ctx) => handleBounceCallback(config, request, ctx),
    close() {
      transport?.close();
      transport = undefined;
    },
  };
}
