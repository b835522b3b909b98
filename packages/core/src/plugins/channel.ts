import type { ContactIdentity, IdentityKind } from '../domain/contact.js';
import type { Content, ContentType } from '../domain/content.js';
import type { DeliveryState } from '../domain/delivery.js';
import type { FailureClass } from '../domain/failure.js';

/** What a channel and its provider allow; the engine plans and paces by these. */
export interface ChannelLimits {
  /** Recipients one `send` call may carry. */
  maxRecipientsPerSend: number;
  /** Sends (recipients) a day per account; undefined: no daily quota. */
  maxSendsPerDay?: number;
  /** Recipients a second per account; undefined: no rate limit. */
  ratePerSecond?: number;
  contentTypes: ContentType[];
  /** Longest text in characters; undefined: no limit. */
  maxTextLength?: number;
  /** The provider calls back with delivery receipts. */
  receipts: boolean;
  /** A sent message can be recalled. */
  recall: boolean;
  /** A repeated send with the same idempotency key is not delivered twice. */
  idempotencyKeys: boolean;
}

/** One recipient of a batch, with its content rendered. `id` is the delivery id. */
export interface OutboundMessage {
  id: string;
  address: string;
  content: Content;
}

export interface OutboundBatch {
  batchId: string;
  campaignId: string;
  /** The sender account, for channels with several. */
  account: string | null;
  /** Deterministic for the batch and attempt: a retry of the same call carries the same key. */
  idempotencyKey: string;
  messages: OutboundMessage[];
}

export interface SendContext {
  /** Aborted when the worker shuts down or the lease is lost. */
  signal: AbortSignal;
  now(): Date;
}

/** The result for one recipient of a `send`. Every message of the batch gets exactly one. */
export type SendOutcome =
  | {
      id: string;
      status: 'sent';
      providerMessageId?: string;
      /** The provider holds it until a person confirms (WeCom customer mass send). */
      awaitingConfirmation?: boolean;
    }
  | {
      id: string;
      status: 'failed';
      failure: FailureClass;
      /** Provider's message, without personal data. */
      error: string;
      /** For `rate_limited`: how long the provider asked us to wait. */
      retryAfterMs?: number;
      providerMessageId?: string;
    };

/** A delivery event parsed from a provider callback (`receipts`) or a provider query (`pollReceipts`). */
export interface DeliveryEvent {
  /** Matched against the provider message id the channel returned from `send`, within the channel. */
  providerMessageId: string;
  state: Extract<DeliveryState, 'delivered' | 'read' | 'clicked' | 'failed' | 'filtered'>;
  /** When it happened at the provider; a replayed callback carries the same time, so it counts once. */
  at: Date;
  /** For `failed`: its class. Default `unknown`. */
  failure?: FailureClass;
  /** Provider's message, without personal data. */
  error?: string;
}

/** The HTTP answer a provider expects to its callback. */
export interface CallbackResponse {
  /** Default 200. */
  status?: number;
  /** Default `text/plain; charset=utf-8`. */
  contentType?: string;
  body: string;
}

/** What `pollReceipts` gets: like `SendContext`, for a call the worker makes on an interval. */
export type PollContext = SendContext;

export interface CallbackRequest {
  method: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: string;
}

export interface ChannelPlugin {
  kind: 'channel';
  /** `channel:<id>`, stable. */
  name: `channel:${string}`;
  limits: ChannelLimits;
  /** Identity kinds this channel can address, in order of preference; planning uses them set-based. */
  identityKinds: IdentityKind[];
  /** Sender accounts; empty when the channel has a single implicit one. */
  accounts: string[];
  /** The address to use for a contact, or undefined when it has none for this channel. */
  address(identities: ContactIdentity[]): string | undefined;
  send(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]>;
  /**
   * Parses a provider callback (`/callbacks/<id>`, GET or POST) after verifying its signature;
   * undefined: not ours. A forged or unverifiable request throws `UNAUTHENTICATED` (answered 401)
   * or `FORBIDDEN` (403); a verification handshake (WeCom's GET echo) returns no events.
   */
  receipts?(request: CallbackRequest): Promise<DeliveryEvent[] | undefined>;
  /**
   * The answer to a callback `receipts` accepted (WeCom: the decrypted echo string; Tencent
   * Cloud: `{"result":0}`). Default: 200 `success`.
   */
  callbackResponse?(request: CallbackRequest, events: DeliveryEvent[]): CallbackResponse;
  /**
   * Asks the provider for receipts since the last call (Tencent Cloud `PullSmsSendStatus`,
   * Aliyun's receipt queue); the worker calls it on an interval. A receipt reported twice is
   * counted once.
   */
  pollReceipts?(ctx: PollContext): Promise<DeliveryEvent[]>;
  /** Asks the provider what became of a batch's messages, after a crash. Missing ids: unknown. */
  queryStatus?(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]>;
  recall?(providerMessageId: string, ctx: SendContext): Promise<void>;
}
