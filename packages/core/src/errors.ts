/** Stable error codes. Clients branch on these, never on message text. */
export const errorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'INVALID_INPUT',
  'NOT_FOUND',
  'CAMPAIGN_NOT_FOUND',
  'CONTACT_NOT_FOUND',
  'TAG_NOT_FOUND',
  'CONFLICT',
  'ILLEGAL_TRANSITION',
  'EMPTY_AUDIENCE',
  'COMPLIANCE_BLOCKED',
  'APPROVAL_REQUIRED',
  'SEPARATION_OF_DUTIES',
  'RATE_LIMITED',
  'PERSISTED_QUERY_ONLY',
  'PERSISTED_QUERY_NOT_FOUND',
  'CAMPAIGN_NOT_EDITABLE',
  'CHANNEL_NOT_FOUND',
  /**
   * A plan step escalates unless its message is delivered (or read), and its channel never
   * reports that state for the step's content (an Official Account's mass send, e-mail without
   * the open pixel): the window would send the next step to every recipient. `details` name the
   * step, channel, content type and state.
   */
  'ESCALATION_RECEIPT_UNREPORTED',
  /** The channel is loaded but the provider refuses its credentials for this call (no secret, no permission). */
  'CHANNEL_CREDENTIALS_MISSING',
  'PLUGIN_OPTIONS_INVALID',
  'PLUGIN_DUPLICATE_NAME',
  'PLUGIN_NOT_FOUND',
  'PLUGIN_FAILED',
  'PLUGIN_INCOMPATIBLE',
  'LEASE_LOST',
  /**
   * The provider lets a business answer a person only for a while after their last message (an
   * Official Account: 48 hours), and that window is closed or its answers used up: nothing was sent.
   */
  'REPLY_WINDOW_CLOSED',
  /** A webhook URL resolves to an address the server may not call (loopback, private, link-local, metadata). */
  'WEBHOOK_URL_FORBIDDEN',
  /**
   * The archive target (an S3-compatible bucket) refused the call — credentials, access, no such
   * bucket — or the archive lies in a target the server is not configured with: nothing removed or written.
   */
  'ARCHIVE_TARGET_REFUSED',
  /** The server is stopping and takes no new long-running work: retry on a running server. */
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type QunfaErrorCode = (typeof errorCodes)[number];

export interface QunfaErrorOptions {
  /** Structured facts about the error (field names, ids); never secrets or personal data. */
  details?: Record<string, unknown>;
  /** The plugin the error came from, stamped by the kernel (`channel:wecom`). */
  plugin?: string;
  cause?: unknown;
}

/** The one root error of Qunfa. */
export class QunfaError extends Error {
  override readonly name = 'QunfaError';
  readonly code: QunfaErrorCode;
  readonly details: Record<string, unknown>;
  readonly plugin: string | undefined;

  constructor(code: QunfaErrorCode, message: string, options: QunfaErrorOptions = {}) {
    super(options.plugin ? `[${options.plugin}] ${message}` : message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.plugin = options.plugin;
  }
}

export function isQunfaError(error: unknown, code?: QunfaErrorCode): error is QunfaError {
  return error instanceof QunfaError && (code === undefined || error.code === code);
}
