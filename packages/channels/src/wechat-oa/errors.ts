import type { FailureClass } from '@qunfa/core';
import { msUntilChinaMidnight } from '../sms/china-time.js';

/** A call WeChat answered with a non-zero `errcode`. */
export class OaApiError extends Error {
  override readonly name = 'OaApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
    /** The answer's other fields (45065 carries the existing `msg_id`). */
    readonly body: Record<string, unknown>,
  ) {
    super(`${path}: ${errcode} ${errmsg}`);
  }
}

/** The request never got an answer WeChat could have sent (timeout, connection, not JSON). */
export class OaNetworkError extends Error {
  override readonly name = 'OaNetworkError';
}

/** Codes that say the access token is wrong or stale: refreshed once, then the call is made again. */
export const tokenErrorCodes: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** A `SendOutcome`'s failure: class, a message without personal data, and the wait for `rate_limited`. */
export interface ClassifiedFailure {
  failure: FailureClass;
  error: string;
  retryAfterMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Global and per-API return codes (全局返回码 and each page's 错误码), by what the engine should do. */
const classes: Record<
  number,
  { failure: FailureClass; retryAfterMs?: number; untilChinaMidnight?: boolean }
> = {
  // The account or its credentials cannot send: configuration, permission, IP allow-list.
  40001: { failure: 'account_restricted' },
  40013: { failure: 'account_restricted' },
  40125: { failure: 'account_restricted' },
  40164: { failure: 'account_restricted' },
  48001: { failure: 'account_restricted' },
  48004: { failure: 'account_restricted' },
  50001: { failure: 'account_restricted' },
  50002: { failure: 'account_restricted' },
  61004: { failure: 'account_restricted' },
  89503: { failure: 'account_restricted' },
  // The recipient: not a follower, not an openid of this account, blacklisted by the account.
  40003: { failure: 'invalid_recipient' },
  40031: { failure: 'invalid_recipient' },
  43004: { failure: 'invalid_recipient' },
  43019: { failure: 'invalid_recipient' },
  // The recipient refuses messages (subscription notices, template messages).
  43101: { failure: 'blocked_by_user' },
  // The content: media, template, sizes, format, review.
  40004: { failure: 'content_rejected' },
  40007: { failure: 'content_rejected' },
  40008: { failure: 'content_rejected' },
  40035: { failure: 'content_rejected' },
  40036: { failure: 'content_rejected' },
  40037: { failure: 'content_rejected' },
  40121: { failure: 'content_rejected' },
  44002: { failure: 'content_rejected' },
  44003: { failure: 'content_rejected' },
  44004: { failure: 'content_rejected' },
  45002: { failure: 'content_rejected' },
  45003: { failure: 'content_rejected' },
  45004: { failure: 'content_rejected' },
  45007: { failure: 'content_rejected' },
  45008: { failure: 'content_rejected' },
  47001: { failure: 'content_rejected' },
  47003: { failure: 'content_rejected' },
  // Frequencies and quotas.
  45009: { failure: 'rate_limited', retryAfterMs: HOUR },
  45011: { failure: 'rate_limited', retryAfterMs: MINUTE },
  // No mass-send quota left (a subscription account's one a day): it comes back at China midnight.
  45028: { failure: 'rate_limited', retryAfterMs: HOUR, untilChinaMidnight: true },
  45066: { failure: 'rate_limited', retryAfterMs: MINUTE },
  // WeChat's own trouble.
  [-1]: { failure: 'network' },
};

/** A minute past China midnight: a quota that resets at 00:00 (Asia/Shanghai) is surely back by then. */
const MIDNIGHT_MARGIN_MS = MINUTE;

/**
 * What a WeChat error means for the recipients of the call. `shared`: the call carried many
 * recipients, so a per-recipient code cannot say which of them it is about. `now`: a quota that
 * resets at China midnight (45028) is retried just after it, else an hour later.
 */
export function classifyOaError(
  error: unknown,
  options: { shared?: boolean; now?: Date } = {},
): ClassifiedFailure {
  if (error instanceof OaNetworkError) return { failure: 'network', error: error.message };
  if (!(error instanceof OaApiError)) {
    return { failure: 'unknown', error: error instanceof Error ? error.message : String(error) };
  }
  const known = classes[error.errcode];
  const message = `WeChat ${error.errcode}: ${cleanMessage(error.errmsg)}`;
  if (!known) return { failure: 'unknown', error: message };
  if (options.shared && (known.failure === 'invalid_recipient' || known.failure === 'blocked_by_user')) {
    return { failure: 'unknown', error: `${message} (for one or more recipients of the call)` };
  }
  const retryAfterMs =
    known.untilChinaMidnight && options.now
      ? msUntilChinaMidnight(options.now) + MIDNIGHT_MARGIN_MS
      : known.retryAfterMs;
  return {
    failure: known.failure,
    error: message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** WeChat's message without its request hints, short, and without anything looking like an openid. */
export function cleanMessage(errmsg: string): string {
  return errmsg
    .replace(/\s*(hint|rid):.*$/s, '')
    .replace(/o[A-Za-z0-9_-]{20,40}/g, '<openid>')
    .slice(0, 200);
}
