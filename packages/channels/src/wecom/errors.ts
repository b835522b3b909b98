import type { FailureClass } from '@qunfa/core';

/** A call WeCom answered with a non-zero `errcode`. */
export class WecomApiError extends Error {
  override readonly name = 'WecomApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
    /** The answer's other fields (`invaliduser`, `fail_list`…). */
    readonly body: Record<string, unknown>,
  ) {
    super(`${path}: ${errcode} ${cleanMessage(errmsg)}`);
  }
}

/** The request never got an answer WeCom could have sent (timeout, connection, not JSON). */
export class WecomNetworkError extends Error {
  override readonly name = 'WecomNetworkError';
}

/** 40014 invalid, 42001 expired access token; 40001 a token (or secret) not the latest: refreshed once, the call made again. */
export const tokenErrorCodes: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** A `SendOutcome`'s failure: class, a message without personal data, and the wait for `rate_limited`. */
export interface ClassifiedFailure {
  failure: FailureClass;
  error: string;
  retryAfterMs?: number;
}

const MINUTE = 60_000;

/**
 * Global return codes (全局错误码, document 90455) by what the engine should do. WeCom blocks a
 * minute's frequency for 60 s and an hour's for 60 min (访问频率限制); 45009 does not say which,
 * so a minute is asked first and the engine's back-off grows from there.
 */
const classes: Record<number, { failure: FailureClass; retryAfterMs?: number }> = {
  // Credentials, app, permissions, IP allow-list: the corp or app cannot send.
  40001: { failure: 'account_restricted' },
  40013: { failure: 'account_restricted' },
  40056: { failure: 'account_restricted' },
  41001: { failure: 'account_restricted' },
  42009: { failure: 'account_restricted' },
  48002: { failure: 'account_restricted' },
  60011: { failure: 'account_restricted' },
  60020: { failure: 'account_restricted' },
  301002: { failure: 'account_restricted' },
  // Recipients: unknown or out-of-scope member, every receiver invalid, not (any more) a customer.
  40003: { failure: 'invalid_recipient' },
  40031: { failure: 'invalid_recipient' },
  40096: { failure: 'invalid_recipient' },
  41048: { failure: 'invalid_recipient' },
  60111: { failure: 'invalid_recipient' },
  81013: { failure: 'invalid_recipient' },
  82001: { failure: 'invalid_recipient' },
  84061: { failure: 'invalid_recipient' },
  // Content: media type, size, id, message type, empty or too long text, bad JSON parameters.
  40004: { failure: 'content_rejected' },
  40006: { failure: 'content_rejected' },
  40007: { failure: 'content_rejected' },
  40008: { failure: 'content_rejected' },
  40009: { failure: 'content_rejected' },
  40033: { failure: 'content_rejected' },
  40058: { failure: 'content_rejected' },
  41016: { failure: 'content_rejected' },
  44001: { failure: 'content_rejected' },
  44004: { failure: 'content_rejected' },
  45002: { failure: 'content_rejected' },
  45004: { failure: 'content_rejected' },
  45008: { failure: 'content_rejected' },
  // Frequencies: API calls a minute/hour; concurrent calls.
  45009: { failure: 'rate_limited', retryAfterMs: MINUTE },
  45033: { failure: 'rate_limited', retryAfterMs: 1000 },
  // WeCom's own trouble, after our retries.
  [-1]: { failure: 'network' },
};

/**
 * What a WeCom error means for the recipients of the call. `shared`: the call carried several
 * recipients, and a per-recipient code cannot say which one it is about — except 81013 and
 * 82001, which say every receiver was invalid.
 */
export function classifyWecomError(error: unknown, options: { shared?: boolean } = {}): ClassifiedFailure {
  if (error instanceof WecomNetworkError) return { failure: 'network', error: error.message };
  if (!(error instanceof WecomApiError)) {
    return { failure: 'unknown', error: error instanceof Error ? error.message : String(error) };
  }
  const known = classes[error.errcode];
  const message = `WeCom ${error.errcode}: ${cleanMessage(error.errmsg)}`;
  if (!known) return { failure: 'unknown', error: message };
  const allReceivers = error.errcode === 81013 || error.errcode === 82001 || error.errcode === 41048;
  if (options.shared && known.failure === 'invalid_recipient' && !allReceivers) {
    return { failure: 'unknown', error: `${message} (for one or more recipients of the call)` };
  }
  return {
    failure: known.failure,
    error: message,
    ...(known.retryAfterMs === undefined ? {} : { retryAfterMs: known.retryAfterMs }),
  };
}

/** WeCom's message without its hints and links, short, and without anything that looks like a secret or token. */
export function cleanMessage(errmsg: string): string {
  return errmsg
    .replace(/,?\s*(hint|more info at|from ip):.*$/is, '')
    .replace(/[A-Za-z0-9_-]{32,}/g, '<redacted>')
    .slice(0, 200);
}
