import { QunfaError } from '../errors.js';
import type { ChannelPlugin, SendContext, SendOutcome } from '../plugins/channel.js';
import type { ReplyMessage } from '../plugins/reply.js';

/**
 * Sends an operator's reply over a channel: its `reply` hook when it has one, otherwise a
 * one-recipient batch through `send` (same idempotency key, so a retry is not sent twice).
 * A contact the channel cannot address is INVALID_INPUT, nothing sent; a channel that answers
 * without exactly one outcome for the reply is PLUGIN_FAILED.
 */
export async function sendReply(
  channel: ChannelPlugin,
  message: ReplyMessage,
  ctx: SendContext,
): Promise<SendOutcome> {
  if (message.content.text.trim() === '') {
    throw new QunfaError('INVALID_INPUT', 'a reply needs text', { details: { field: 'text' } });
  }
  if (channel.reply) return checked(channel, message, [await channel.reply(message, ctx)]);
  const address = channel.address([message.to]);
  if (address === undefined) {
    throw new QunfaError('INVALID_INPUT', `${channel.name} cannot address this contact`, {
      plugin: channel.name,
      details: { identityKind: message.to.kind },
    });
  }
  const outcomes = await channel.send(
    {
      batchId: `reply:${message.idempotencyKey}`,
      campaignId: '',
      account: message.account,
      idempotencyKey: message.idempotencyKey,
      messages: [{ id: message.idempotencyKey, address, content: message.content }],
    },
    ctx,
  );
  return checked(channel, message, outcomes);
}

function checked(channel: ChannelPlugin, message: ReplyMessage, outcomes: SendOutcome[]): SendOutcome {
  const outcome = outcomes.length === 1 ? outcomes[0] : undefined;
  if (!outcome || outcome.id !== message.idempotencyKey) {
    throw new QunfaError('PLUGIN_FAILED', 'the channel did not answer the reply with one outcome', {
      plugin: channel.name,
      details: { outcomes: outcomes.length },
    });
  }
  return outcome;
}
