import type { FailureClass } from '@qunfa/core';

/** What a failed SMTP exchange means for one recipient. */
export type SmtpFailure = { failure: FailureClass; error: string };

/** `5.1.1`, `4.7.0`: the enhanced status code (RFC 3463) at the start of a reply's text. */
export function enhancedCode(response: string | undefined): string | undefined {
  return response?.match(/^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/)?.[1];
}

/**
 * An SMTP reply to a failure class (RFC 5321 reply codes, RFC 3463 enhanced codes):
 * 4xx is transient — policy and rate (X.7.x, 452/X.5.3 too many recipients) → `rate_limited`,
 * else `network`; 5xx is permanent — addresses and mailboxes (X.1.x, X.2.x, X.4.4; 550/551/553
 * without an enhanced code) → `invalid_recipient`, content and policy (X.3.4, X.6.x, X.7.x,
 * 552 X.3.4, 554) → `content_rejected`, authentication (530, 535, X.7.8) → `account_restricted`.
 * A refusal of our sender at MAIL FROM is the account's, not the recipient's.
 */
export function classifySmtpReply(
  code: number,
  response: string | undefined,
  command?: string,
): FailureClass {
  const enhanced = enhancedCode(response);
  const [klass, subject, detail] = (enhanced ?? '').split('.').map(Number);
  if (code === 530 || code === 535 || code === 454 || (subject === 7 && detail === 8))
    return 'account_restricted';
  if (code >= 400 && code < 500) {
    if (code === 452 || subject === 7 || (subject === 5 && detail === 3)) return 'rate_limited';
    return 'network';
  }
  if (code >= 500 && code < 600) {
    if (command === 'MAIL FROM') return 'account_restricted';
    if (klass === 5 && subject !== undefined && enhanced) {
      if (subject === 1 || subject === 2)
        return subject === 2 && detail === 3 ? 'content_rejected' : 'invalid_recipient';
      if (subject === 4) return detail === 4 || detail === 1 ? 'invalid_recipient' : 'network';
      if (subject === 3 || subject === 6 || subject === 7) return 'content_rejected';
      return 'unknown';
    }
    if (code === 550 || code === 551 || code === 553 || code === 552) return 'invalid_recipient';
    if (code === 554) return 'content_rejected';
    return 'unknown';
  }
  return 'unknown';
}

/** The reply as a short error, without the recipient's address. */
export function replyError(code: number, response: string | undefined, address: string): string {
  const text = (response ?? String(code)).split(address).join('<recipient>');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
