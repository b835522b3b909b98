import { createHash } from 'node:crypto';
import type { OutboundBatch, OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import type { OaClient } from './client.js';
import type { TemplateBody } from './content.js';
import { classifyOaError } from './errors.js';

/** Marker of a subscription notice already accepted: `bizsend` has no de-duplication key of its own. */
const NOTICE_TTL_MS = 7 * 24 * 3600 * 1000;
const noticeKey = (batch: OutboundBatch, m: OutboundMessage) => `notice/${batch.idempotencyKey}/${m.id}`;

/**
 * One template message (`message/template/send`) or subscription notice
 * (`message/subscribe/bizsend`) per follower. A template message carries a deterministic
 * `client_msg_id`, so WeChat drops a repeat for that openid within 10 minutes; a notice has
 * none, so an accepted one is remembered in the shared state and never sent again by a retry.
 */
export async function sendTemplate(
  client: OaClient,
  batch: OutboundBatch,
  message: OutboundMessage,
  body: TemplateBody,
  ctx: SendContext,
): Promise<SendOutcome> {
  if (body.api === 'subscribe') {
    const done = await ctx.state.get<{ msgid: string | null }>(noticeKey(batch, message));
    if (done) {
      return {
        id: message.id,
        status: 'sent',
        ...(done.msgid === null ? {} : { providerMessageId: done.msgid }),
      };
    }
  }
  try {
    const answer =
      body.api === 'template'
        ? await client.post(
            '/cgi-bin/message/template/send',
            {
              touser: message.address,
              template_id: body.templateId,
              ...body.fields,
              client_msg_id: clientMsgId(batch, message),
              data: body.data,
            },
            ctx,
          )
        : await client.post(
            '/cgi-bin/message/subscribe/bizsend',
            { touser: message.address, template_id: body.templateId, ...body.fields, data: body.data },
            ctx,
          );
    const msgid = answer.msgid === undefined ? null : String(answer.msgid);
    if (body.api === 'subscribe') await ctx.state.set(noticeKey(batch, message), { msgid }, NOTICE_TTL_MS);
    return { id: message.id, status: 'sent', ...(msgid === null ? {} : { providerMessageId: msgid }) };
  } catch (error) {
    return { id: message.id, status: 'failed', ...classifyOaError(error) };
  }
}

/** `client_msg_id` of one template message: the same for a retry of the same batch and recipient. */
export function clientMsgId(batch: OutboundBatch, message: OutboundMessage): string {
  return `qf${createHash('sha256').update(batch.idempotencyKey).update('\0').update(message.id).digest('hex').slice(0, 30)}`;
}
