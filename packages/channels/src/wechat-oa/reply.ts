import { QunfaError, type ReplyMessage, type SendContext, type SendOutcome } from '@qunfa/core';
import type { OaClient } from './client.js';
import { classifyOaError, OaApiError, OaNetworkError } from './errors.js';
import type { WechatOaConfig } from './options.js';

/** How long after a follower's last message the account may answer (客服消息, 48 hours). */
export const REPLY_WINDOW_MS = 48 * 3600_000;
/** A reply's key is remembered this long, so a retry within it is not sent twice. */
const REPLY_TTL_MS = 7 * 24 * 3600_000;

type Remembered = { state: 'sending' } | { state: 'sent'; at: number };

const closed = (plugin: string, why: string, details: Record<string, unknown>) =>
  new QunfaError('REPLY_WINDOW_CLOSED', why, { plugin, details });

/**
 * Answers a follower with a customer-service message (`message/custom/send`), which WeChat takes
 * only within 48 hours of the follower's last message: outside it (by `lastInboundAt`, or WeChat's
 * 45015) or with the window's answers used up (45047) it is `REPLY_WINDOW_CLOSED` and nothing is
 * sent. The call has no de-duplication key of its own: the reply's key is claimed in the plugin
 * state before the call, so a retry answers with the first outcome, and one whose call may have
 * reached WeChat (a timeout) is `uncertain`, never sent again.
 */
export async function replyToFollower(
  config: WechatOaConfig,
  client: OaClient,
  message: ReplyMessage,
  ctx: SendContext,
): Promise<SendOutcome> {
  const id = message.idempotencyKey;
  const failed = (failure: 'invalid_recipient' | 'content_rejected', error: string): SendOutcome => ({
    id,
    status: 'failed',
    failure,
    error,
  });
  if (message.to.kind !== 'oa_openid' || message.to.value === '')
    return failed('invalid_recipient', 'an Official Account answers a follower by openid');
  if (message.content.type !== 'text')
    return failed('content_rejected', `a reply is text; ${message.content.type} is not sent as one`);
  const key = `reply/${id}`;
  const earlier = (seen: Remembered | undefined): SendOutcome =>
    seen?.state === 'sent'
      ? { id, status: 'sent', providerMessageId: `custom:${id}` }
      : { id, status: 'uncertain', error: 'an earlier attempt of this reply may have reached WeChat' };
  const seen = await ctx.state.get<Remembered>(key);
  if (seen) return earlier(seen);
  const since = message.lastInboundAt;
  if (since && ctx.now().getTime() - since.getTime() > REPLY_WINDOW_MS) {
    throw closed(config.name, 'the follower last wrote more than 48 hours ago: WeChat takes no answer now', {
      lastInboundAt: since.toISOString(),
    });
  }
  if (!(await ctx.state.setIfAbsent(key, { state: 'sending' }, REPLY_TTL_MS))) {
    return earlier(await ctx.state.get<Remembered>(key));
  }
  try {
    await client.post(
      '/cgi-bin/message/custom/send',
      { touser: message.to.value, msgtype: 'text', text: { content: message.content.text } },
      ctx,
    );
  } catch (error) {
    if (error instanceof OaNetworkError) {
      return { id, status: 'uncertain', error: `the answer may have reached WeChat: ${error.message}` };
    }
    await ctx.state.delete(key);
    if (error instanceof OaApiError && (error.errcode === 45015 || error.errcode === 45047)) {
      throw closed(
        config.name,
        error.errcode === 45015
          ? 'WeChat takes no answer: the follower last wrote more than 48 hours ago, or unfollowed (45015)'
          : 'WeChat takes no more answers until the follower writes again (45047)',
        { errcode: error.errcode },
      );
    }
    return { id, status: 'failed', ...classifyOaError(error) };
  }
  await ctx.state.set(key, { state: 'sent', at: ctx.now().getTime() }, REPLY_TTL_MS);
  return { id, status: 'sent', providerMessageId: `custom:${id}` };
}
