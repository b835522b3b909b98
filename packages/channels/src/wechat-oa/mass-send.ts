import type { OutboundBatch, OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import type { OaClient } from './client.js';
import type { MassBody } from './content.js';
import { classifyOaError, OaApiError } from './errors.js';
import { clientMsgIdOf, deliveryRef, rememberJob } from './jobs.js';
import type { WechatOaConfig } from './options.js';

/** Messages of a batch that carry the same content: one mass-send call. */
export interface MassGroup {
  body: MassBody;
  /** The body as a stable string: messages with the same one go out together. */
  key: string;
  messages: OutboundMessage[];
}

/** The documented bounds of an openid list (`touser`) in `message/mass/send`. */
export const MASS_MIN = 2;
export const MASS_MAX = 10_000;

const failedAll = (group: MassGroup, failure: SendOutcome & { status: 'failed' }): SendOutcome[] =>
  group.messages.map((m) => ({ ...failure, id: m.id }));

/**
 * Sends one group with `message/mass/send`: one call for all its openids, a deterministic
 * `clientmsgid` so that WeChat drops a repeated call (45065 answers with the existing job's
 * `msg_id`: sent), and every recipient sent "by job" under that `msg_id`.
 */
export async function sendMassGroup(
  config: WechatOaConfig,
  client: OaClient,
  batch: OutboundBatch,
  group: MassGroup,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  if (config.accountType === 'subscription') {
    return failedAll(group, {
      id: '',
      status: 'failed',
      failure: 'invalid_recipient',
      error:
        'a subscription account cannot mass-send to an openid list (WeChat offers it to service accounts only): send to a tag',
    });
  }
  if (group.messages.length < MASS_MIN) {
    return failedAll(group, {
      id: '',
      status: 'failed',
      failure: 'invalid_recipient',
      error: `WeChat mass sends take ${MASS_MIN}–${MASS_MAX} openids: this content had one recipient in its batch (personalised content or tracked links cannot be mass-sent)`,
    });
  }
  const openids = group.messages.map((m) => m.address);
  const clientmsgid = clientMsgIdOf(batch.idempotencyKey, group.key, openids);
  let msgId: string;
  try {
    const answer = await client.post(
      '/cgi-bin/message/mass/send',
      {
        touser: openids,
        ...group.body,
        send_ignore_reprint: config.sendIgnoreReprint ? 1 : 0,
        clientmsgid,
      },
      ctx,
    );
    msgId = String(answer.msg_id ?? '');
  } catch (error) {
    // A repeated call: WeChat already has this job and names it. It is ours, and sent.
    if (error instanceof OaApiError && error.errcode === 45065 && error.body.msg_id !== undefined) {
      msgId = String(error.body.msg_id);
    } else {
      const c = classifyOaError(error, { shared: true });
      return failedAll(group, { id: '', status: 'failed', ...c });
    }
  }
  if (msgId === '') {
    return failedAll(group, {
      id: '',
      status: 'failed',
      failure: 'unknown',
      error: 'WeChat accepted the mass send without a msg_id',
    });
  }
  await rememberJob(
    ctx.state,
    {
      msgId,
      deliveryIds: group.messages.map((m) => m.id),
      protected: config.massSendProtection,
      at: ctx.now().getTime(),
    },
    clientmsgid,
  );
  ctx.logger.info('mass send submitted', { msgId, recipients: openids.length });
  return group.messages.map((m) => ({
    id: m.id,
    status: 'sent',
    providerMessageId: deliveryRef(msgId, m.id),
    ...(config.massSendProtection ? { awaitingConfirmation: true } : {}),
  }));
}
