import { type CallbackContext, type CallbackRequest, type CallbackResult, QunfaError } from '@qunfa/core';
import { sameSecret } from '../sms/secret.js';
import { bounceEvents, parseBounce } from './bounce.js';
import type { EmailSmtpConfig } from './options.js';

/** Largest bounce read: a DSN with the original headers is a few KB; a full original rarely 1 MB. */
const MAX_BOUNCE_BYTES = 2 * 1024 * 1024;

/**
 * `POST /callbacks/<channel>/bounce?token=<bounceToken>`: a bounce (the raw RFC 5322 message, as
 * a mailbox's forwarding webhook or a pipe delivers it). The token is checked in constant time
 * before the body is read; a DSN that fails a message of ours marks that delivery failed.
 */
export async function handleBounceCallback(
  config: EmailSmtpConfig,
  request: CallbackRequest,
  ctx: CallbackContext,
): Promise<CallbackResult | undefined> {
  if (request.path !== '/bounce') return undefined;
  if (!config.bounceToken)
    throw new QunfaError('FORBIDDEN', 'bounces are not configured (no bounceToken)', { plugin: config.name });
  if (!sameSecret(request.query.token, config.bounceToken))
    throw new QunfaError('UNAUTHENTICATED', 'the bounce does not carry the bounce token', {
      plugin: config.name,
    });
  if (request.method !== 'POST')
    throw new QunfaError('INVALID_INPUT', 'post the bounce message', { plugin: config.name });
  if (Buffer.byteLength(request.body) > MAX_BOUNCE_BYTES)
    throw new QunfaError('INVALID_INPUT', 'the bounce is too large', { plugin: config.name });
  const bounce = await parseBounce(request.body);
  const events = bounceEvents(bounce, ctx.now()).filter((e) =>
    e.providerMessageId.endsWith(`@${config.messageIdDomain}`),
  );
  return { events, response: { body: 'ok' } };
}
