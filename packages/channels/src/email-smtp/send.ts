import type { OutboundBatch, SendContext, SendOutcome } from '@qunfa/core';
import { isEmailAddress } from './address.js';
import { mailFor } from './message.js';
import type { EmailSmtpConfig } from './options.js';
import { classifySmtpReply, replyError } from './smtp-errors.js';
import type { SmtpSendError, SmtpTransport } from './transport.js';

/** Socket errors that happen before a connection carries anything: nothing was sent. */
const beforeAnySend = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A failed send to one outcome. A reply code is the server's word (failed, by class). Without
 * one, a failure to connect sent nothing (`network`, safe to retry); any other loss — a reset or
 * a timeout once the connection carried commands, possibly after DATA — may have been accepted,
 * and SMTP has no way to ask: `uncertain`, never re-sent blindly.
 */
export function outcomeOfError(id: string, address: string, error: SmtpSendError): SendOutcome {
  if (typeof error.responseCode === 'number' && error.responseCode >= 400) {
    return {
      id,
      status: 'failed',
      failure: classifySmtpReply(error.responseCode, error.response, error.command),
      error: replyError(error.responseCode, error.response, address),
    };
  }
  const connecting =
    beforeAnySend.has(error.originalCode ?? '') ||
    error.code === 'EDNS' ||
    error.code === 'ETLS' ||
    error.timeoutType === 'CONNECTION_TIMEOUT' ||
    error.timeoutType === 'GREETING_TIMEOUT';
  const why = `${error.code ?? 'error'}: ${error.message}`.split(address).join('<recipient>');
  if (connecting) return { id, status: 'failed', failure: 'network', error: why };
  return { id, status: 'uncertain', error: `${why}; the server may have accepted it` };
}

/** `send`: one personalised message per recipient over the pool, one outcome each. */
export async function sendEmailBatch(
  config: EmailSmtpConfig,
  transport: SmtpTransport,
  batch: OutboundBatch,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  return Promise.all(
    batch.messages.map(async (message): Promise<SendOutcome> => {
      if (!isEmailAddress(message.address))
        return {
          id: message.id,
          status: 'failed',
          failure: 'invalid_recipient',
          error: 'not an e-mail address',
        };
      const mail = mailFor(config, batch, message);
      if (typeof mail === 'string')
        return { id: message.id, status: 'failed', failure: 'content_rejected', error: mail };
      if (ctx.signal.aborted)
        return {
          id: message.id,
          status: 'failed',
          failure: 'network',
          error: 'the send was aborted before it started',
        };
      try {
        await transport.send(mail);
        return { id: message.id, status: 'sent', providerMessageId: mail.messageId.slice(1, -1) };
      } catch (error) {
        return outcomeOfError(message.id, message.address, error as SmtpSendError);
      }
    }),
  );
}
