import type { ContactIdentity, IdentityKind } from '../domain/contact.js';
import type { Content, ContentType } from '../domain/content.js';
import type { DeliveryState } from '../domain/delivery.js';
import type { FailureClass } from '../domain/failure.js';
import type { InboundMessage } from '../domain/inbound.js';
import type { SmsProfile } from '../domain/sms-template.js';
import type { Logger } from '../ports/logger.js';
import type { PluginState } from '../ports/plugin-state.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { ReachChange } from '../ports/reach-sink.js';
import type { PluginCommon } from './common.js';
import type { ReplyMessage } from './reply.js';

/** A per-recipient receipt state an escalation window can wait for. */
export type ReceiptState = 'delivered' | 'read';

/**
 * One kind of send of a channel whose kinds report differently (WeCom: an application message to a
 * member reports nothing after the send; a customer task reports each customer's result when
 * polled), told apart by the identity that addresses the recipient.
 */
export interface ReceiptKind {
  /** The channel's name for it (WeCom: `app`, `customer`, `group`). */
  name: string;
  /** The identity kinds addressed as this kind (the identity the channel's `address` picks). */
  identityKinds: readonly IdentityKind[];
  /** Per content type this kind sends, the receipt states it reports per recipient (as `receiptStates`). */
  receiptStates: Partial<Record<ContentType, readonly ReceiptState[]>>;
  /**
   * The results it reports per recipient after the send, beyond the send's own outcome
   * (`delivered`, `failed`, `filtered`); empty: the send's outcome is all there is.
   */
  laterResults: readonly Extract<DeliveryState, 'sent' | 'delivered' | 'read' | 'failed' | 'filtered'>[];
  /** How the later results come: the provider's `callback`, the channel's `poll`, or `none`. */
  via: 'callback' | 'poll' | 'none';
}

/**
 * `receiptStates` of a channel with several kinds of send: per content type, the states some kind
 * reports — what an escalation window can wait for on the channel at all.
 */
export function receiptStatesOf(
  kinds: readonly ReceiptKind[],
): Partial<Record<ContentType, readonly ReceiptState[]>> {
  const out: Partial<Record<ContentType, ReceiptState[]>> = {};
  for (const kind of kinds) {
    for (const [type, states] of Object.entries(kind.receiptStates) as [ContentType, ReceiptState[]][]) {
      const known = out[type] ?? [];
      out[type] = [...known, ...states.filter((s) => !known.includes(s))];
    }
  }
  return out;
}

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
  /**
   * Per content type, the receipt states the provider reports for each recipient on its own
   * (`delivered`, `read`): what an escalation window (`escalateAfter.unless`) can wait for. A
   * content type missing from a declared map reports neither (an Official Account's mass send:
   * WeChat counts the job, never a follower), and a plan whose step waits for a state its channel
   * never reports for the step's content is refused (`ESCALATION_RECEIPT_UNREPORTED`): its window
   * would send the next step to every recipient. Undefined: not declared, unknown — any plan is
   * allowed, as before this field existed.
   */
  receiptStates?: Partial<Record<ContentType, readonly ReceiptState[]>>;
  /**
   * For a channel whose kinds of send report differently (by the recipient's identity kind): each
   * kind with its own `receiptStates` and later results. `receiptStates` is then their union
   * (`receiptStatesOf`): a state no kind reports is refused for an escalation window; one that only
   * some kinds report leaves the others' recipients to the window (WeCom: an application message
   * is never `delivered`).
   */
  receiptKinds?: readonly ReceiptKind[];
  /**
   * Content types whose messages carry the open pixel (`OutboundMessage.openPixelUrl`) when the
   * campaign tracks opens (`Campaign.openPixel`): for those campaigns they report `read` as well
   * as what `receiptStates` says (e-mail).
   */
  openPixel?: readonly ContentType[];
  /** A sent message can be recalled. */
  recall: boolean;
  /** A repeated send with the same idempotency key is not delivered twice. */
  idempotencyKeys: boolean;
  /**
   * `send` honours `OutboundBatch.job`: one call to a provider-side audience (an Official
   * Account's tag) covering every message of the batch. Default false.
   */
  platformJobs?: boolean;
  /** Set by SMS channels: sign name and approved templates, for the SMS content rules before a start. */
  sms?: SmsProfile;
  /**
   * Set by channels whose messages wait for a person to confirm them (WeCom customer mass send).
   * The channel withdraws what is unconfirmed at the deadline (the plan step's
   * `confirmationDeadlineMs`, else `deadlineMs`, else the step's `escalateAfter`) and reports those recipients failed
   * `unconfirmed`; until then an escalation window never moves a delivery awaiting confirmation,
   * so nobody gets the next step's message as well as this one, confirmed late.
   */
  confirmation?: {
    /** The deadline when the plan step sets none (ms after the send); undefined: none. */
    deadlineMs?: number;
  };
}

/** One recipient of a batch, with its content rendered. `id` is the delivery id. */
export interface OutboundMessage {
  id: string;
  address: string;
  content: Content;
  /**
   * The recipient's own unsubscribe link (`<PUBLIC_URL>/u/<token>`, POST unsubscribes, RFC 8058),
   * when the engine has a link tracker: for e-mail's `List-Unsubscribe` header.
   */
  unsubscribeUrl?: string;
  /**
   * The recipient's open pixel (`<PUBLIC_URL>/o/<token>.gif`), set only when the campaign tracks
   * opens (its workspace allowed it when it started) and the engine has a link tracker. A channel
   * that shows HTML (e-mail) puts it in as a 1×1 image; loading it marks the delivery read.
   * Channels that cannot show one ignore it.
   */
  openPixelUrl?: string;
}

export interface OutboundBatch {
  batchId: string;
  campaignId: string;
  /** The sender account, for channels with several. */
  account: string | null;
  /** Deterministic for the batch and attempt: a retry of the same call carries the same key. */
  idempotencyKey: string;
  messages: OutboundMessage[];
  /**
   * A platform job (`ChannelPlanStep.platformJob`): send the content once to the provider's own
   * audience `target`, not to the addresses. Every message then carries the same content and
   * stands for a recipient the provider counts in the target; each gets the job's outcome.
   */
  job?: { target: string };
  /**
   * For a channel with `limits.confirmation`: withdraw what is not confirmed this long after the
   * send (the plan step's `confirmationDeadlineMs`, else the channel's default, else the step's
   * escalation window). Absent: no deadline.
   */
  confirmationDeadlineMs?: number;
}

/** What every channel hook that calls the provider gets. */
export interface ChannelContext {
  /** Aborted when the worker shuts down or the lease is lost. */
  signal: AbortSignal;
  now(): Date;
  /** State shared by every process (access tokens, media ids, cursors), scoped to this channel. */
  state: PluginState;
  /** Log lines stamped with the channel's name; never secrets, message bodies or full addresses. */
  logger: Logger;
  /**
   * The shared rate limiter, for limits the provider enforces per recipient and silently (WeCom
   * drops an app's 31st message a minute to one member): keys must start with the channel's name.
   */
  limiter?: RateLimiter;
}

export type SendContext = ChannelContext;

/** The result for one recipient of a `send`. Every message of the batch gets exactly one. */
export type SendOutcome =
  | {
      id: string;
      status: 'sent';
      providerMessageId?: string;
      /** The provider holds it until a person confirms (WeCom customer mass send). */
      awaitingConfirmation?: boolean;
      /**
       * The provider reports this recipient only inside job `byJob`'s totals, never alone (an
       * Official Account's mass send): recorded on the attempt as "sent by job", so nothing
       * claims a per-person outcome the provider never gave.
       */
      byJob?: string;
      /**
       * The sender it went out through, when the channel chose one per recipient (a WeCom staff
       * member who has the customer): recorded as the attempt's account, the reason as its note.
       */
      via?: { account: string; reason: string };
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
      /**
       * The sender it was tried through, when the channel chose one per recipient: recorded as the
       * attempt's account and note; an `account_restricted` failure cools down that account.
       */
      via?: { account: string; reason: string };
    }
  | {
      id: string;
      /**
       * The platform drops it for this recipient by a documented per-recipient cap (an Official
       * Account's follower who already received the month's 4 mass messages): not sent, not a
       * failure — never retried nor handed to another step; counted as `filtered`.
       */
      status: 'filtered';
      /** Which cap, without personal data. */
      reason: string;
      providerMessageId?: never;
      failure?: never;
      retryAfterMs?: never;
    }
  | {
      id: string;
      /**
       * The provider may or may not have taken it, and cannot tell now (Aliyun SMS: a call that
       * timed out and whose `QuerySendDetails` check failed too). Marked `uncertain`, never re-sent blindly.
       */
      status: 'uncertain';
      /** Why, without personal data. */
      error: string;
      providerMessageId?: never;
      failure?: never;
      retryAfterMs?: never;
    };

/** A delivery event parsed from a provider callback (`receipts`) or a provider query (`pollReceipts`). */
export interface DeliveryEvent {
  /** Matched against the provider message id the channel returned from `send`, within the channel. */
  providerMessageId: string;
  /**
   * `sent`: a message the provider held for a person's confirmation went out, and nothing more
   * is known of it (an Official Account's protected mass send, confirmed): awaiting confirmation
   * becomes sent; on a delivery in any other state it is ignored.
   */
  state: Extract<DeliveryState, 'sent' | 'delivered' | 'read' | 'clicked' | 'failed' | 'filtered'>;
  /** When it happened at the provider; a replayed callback carries the same time, so it counts once. */
  at: Date;
  /** For `failed`: its class. Default `unknown`. */
  failure?: FailureClass;
  /** Provider's message, without personal data. */
  error?: string;
}

/** The HTTP answer a provider expects to its callback (WeCom: the decrypted echo; Tencent Cloud: `{"result":0}`). */
export interface CallbackResponse {
  /** Default 200. */
  status?: number;
  /** Default `text/plain; charset=utf-8`. */
  contentType?: string;
  body: string;
}

/** What `pollReceipts`, `pollInbound` and `pollReach` get: like `SendContext`, for a call the worker makes on an interval. */
export interface PollContext extends ChannelContext {
  /**
   * Runs `step` once what this call returns is recorded (receipts applied, inbound messages and
   * relation changes recorded) — not when recording fails or the process dies first. A poller
   * moves its cursor there (`whenRecorded`), so a cursor is never ahead of what was kept: a
   * process killed between reading and recording loses nothing, the next poll reads it again
   * (a repeat counts once). Absent when the call is made directly, outside the engine's poll.
   */
  afterRecorded?(step: () => Promise<void>): void;
}

/**
 * `step` once what the current poll returns is recorded (`PollContext.afterRecorded`), or now
 * when nothing will record it (a direct call). Use it for whatever says "read": a cursor, a job
 * taken off a pending list, a task closed.
 */
export async function whenRecorded(
  ctx: ChannelContext | PollContext,
  step: () => Promise<void>,
): Promise<void> {
  if ('afterRecorded' in ctx && ctx.afterRecorded) ctx.afterRecorded(step);
  else await step();
}

/** A provider's request to `/callbacks/<channel id>[/<path>]`. */
export interface CallbackRequest {
  method: string;
  /** What follows `/callbacks/<channel id>`: '' or '/…' (e.g. one path per app or per event kind). */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The raw body, as received (signatures are computed over it). */
  body: string;
}

export type CallbackContext = Omit<ChannelContext, 'signal'>;

/** What a provider's callback carried, once verified; each part optional. */
export interface CallbackResult {
  /** Delivery receipts, matched by provider message id. */
  events?: DeliveryEvent[];
  /** Messages contacts sent (replies). */
  inbound?: InboundMessage[];
  /** Changes of who can reach a contact through whom (a WeCom customer deleted a staff member, an OA follower unfollowed). */
  reach?: ReachChange[];
  /** The answer the provider expects. Default: 200 `success`. */
  response?: CallbackResponse;
}

/** Whether a sender account can take a batch now, by the channel's own rules (see `accountReady`). */
export type AccountReadiness =
  | { ready: true }
  /** Not now: the batch tries the next account, or waits until the earliest `until`. `reason` is a wait reason code. */
  | { ready: false; until: Date; reason: string };

export interface ChannelPlugin extends PluginCommon {
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
   * Verifies and parses a provider callback (`/callbacks/<id>[/<path>]`, GET or POST): receipts,
   * inbound messages and the answer the provider expects. Undefined: not ours (404). A forged,
   * replayed or unverifiable request throws `UNAUTHENTICATED` (answered 401) or `FORBIDDEN` (403)
   * and nothing is written; a verification handshake (WeCom's GET echo) returns only a response.
   */
  callback?(request: CallbackRequest, ctx: CallbackContext): Promise<CallbackResult | undefined>;
  /**
   * Asks the provider for receipts since the last call (Tencent Cloud `PullSmsSendStatus`,
   * Aliyun's receipt queue); the worker calls it on an interval. A receipt reported twice is
   * counted once.
   */
  pollReceipts?(ctx: PollContext): Promise<DeliveryEvent[]>;
  /**
   * Asks the provider for messages contacts sent since the last call (Tencent Cloud
   * `PullSmsReplyStatus`); the worker calls it beside `pollReceipts`. One reported twice is recorded once.
   */
  pollInbound?(ctx: PollContext): Promise<InboundMessage[]>;
  /**
   * Changes of who reaches whom since the last call, from the channel's own sweep of its
   * relations (a personal account's friend list read again: new friends, friends who deleted it);
   * the worker calls it beside `pollReceipts` and the app records them as a callback's `reach`.
   */
  pollReach?(ctx: PollContext): Promise<ReachChange[]>;
  /**
   * Rules of the channel's own about an account, asked before the engine's quota and rate
   * (a personal WeChat account that is logged out, paused by its health score, past its mass
   * sends of the day, or not the workspace's). Without it every usable account is ready.
   */
  accountReady?(
    account: string,
    request: { workspaceId: string; count: number },
    ctx: ChannelContext,
  ): Promise<AccountReadiness>;
  /** Asks the provider what became of a batch's messages, after a crash. Missing ids: unknown. */
  queryStatus?(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]>;
  recall?(providerMessageId: string, ctx: SendContext): Promise<void>;
  /**
   * Answers one inbound message in its conversation (see `ReplyMessage`); one outcome, its id
   * the reply's idempotency key. Without it, `sendReply` sends a one-recipient batch via `send`.
   */
  reply?(message: ReplyMessage, ctx: SendContext): Promise<SendOutcome>;
}
