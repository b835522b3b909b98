import type { ContactIdentity } from './contact.js';

export const inboundMediaTypes = ['image', 'voice', 'video', 'file', 'link', 'location', 'other'] as const;
export type InboundMediaType = (typeof inboundMediaTypes)[number];

/**
 * A message a contact sent us (a reply), over any channel's callback or poll. Media is
 * referenced by the provider's id, never stored.
 */
export interface InboundMessage {
  /** The provider's id of the message: a replayed callback repeats it, so it is recorded once. */
  providerMessageId: string;
  /** Who sent it, as an identity of a kind the channel addresses (phone, external_userid, openid…). */
  from: ContactIdentity;
  /** The sender account that received it (a WeCom member, an SMS sign or number), if the channel has several. */
  account: string | null;
  /** When the provider says it was sent. */
  at: Date;
  /** Its text; empty for media only. */
  text: string;
  media?: { type: InboundMediaType; ref: string }[];
  /** The group it was said in, for a message in a group chat. */
  groupId?: string;
}

/** What recording a set of inbound messages did. */
export interface InboundRecorded {
  /** Messages stored (new ones). */
  recorded: number;
  /** Messages already stored before (replays), ignored. */
  duplicates: number;
  /** Of the recorded, those attributed to a campaign that reached the sender within the window. */
  attributed: number;
  /** Contacts unsubscribed by what they wrote ("TD", "退订"). */
  unsubscribed: number;
  /** Messages from an identity no workspace has: not stored. */
  unknownSenders: number;
}
