import type { ContactIdentity } from '../domain/contact.js';
import type { Content } from '../domain/content.js';

/**
 * An operator's answer to an inbound message, sent back over the channel it came from.
 * A channel implements `ChannelPlugin.reply` when its provider answers a conversation
 * differently from a mass send (WeCom: an application message or a customer-service
 * message; an OA: the customer-service API inside the 48-hour window; e-mail: In-Reply-To).
 * Without it the kernel sends a one-recipient batch through `send` (SMS).
 */
export interface ReplyMessage {
  /** The inbound message answered, as the channel reported it. */
  inReplyTo: { providerMessageId: string; groupId?: string };
  /** Who wrote it: the identity the inbound message came from. */
  to: ContactIdentity;
  /** The sender account it was addressed to, for channels with several; null: the channel's own. */
  account: string | null;
  content: Content;
  /** Deterministic per reply: a retried call carries the same key, so the answer is not sent twice. */
  idempotencyKey: string;
  /**
   * When the contact last wrote on this channel and account, as the inbound messages recorded it:
   * for providers that let a business answer only for a while after (an Official Account's 48
   * hours). Undefined: not known. A channel refuses a reply outside its window with
   * `REPLY_WINDOW_CLOSED`, sending nothing.
   */
  lastInboundAt?: Date;
}
