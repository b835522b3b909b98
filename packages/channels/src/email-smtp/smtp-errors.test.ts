import { describe, expect, it } from 'vitest';
import { classifySmtpReply } from './smtp-errors.js';

describe('SMTP replies to failure classes (RFC 5321 codes, RFC 3463 enhanced codes)', () => {
  it.each([
    [550, '550 5.1.1 user unknown', 'RCPT TO', 'invalid_recipient'],
    [550, '550 no such user', 'RCPT TO', 'invalid_recipient'],
    [551, '551 user not local', 'RCPT TO', 'invalid_recipient'],
    [553, '553 mailbox name not allowed', 'RCPT TO', 'invalid_recipient'],
    [552, '552 5.2.2 mailbox full', 'RCPT TO', 'invalid_recipient'],
    [552, '552 5.3.4 message too big', 'DATA', 'content_rejected'],
    [554, '554 5.7.1 rejected as spam', 'DATA', 'content_rejected'],
    [554, '554 transaction failed', 'DATA', 'content_rejected'],
    [550, '550 5.7.1 relaying denied', 'MAIL FROM', 'account_restricted'],
    [535, '535 5.7.8 authentication failed', 'AUTH PLAIN', 'account_restricted'],
    [530, '530 5.7.0 authentication required', 'MAIL FROM', 'account_restricted'],
    [421, '421 4.3.2 service not available', 'CONN', 'network'],
    [451, '451 4.3.0 local error', 'DATA', 'network'],
    [450, '450 4.2.1 mailbox busy', 'RCPT TO', 'network'],
    [451, '451 4.7.1 greylisted, try later', 'RCPT TO', 'rate_limited'],
    [452, '452 4.5.3 too many recipients', 'RCPT TO', 'rate_limited'],
    [550, '550 5.4.4 unable to route', 'RCPT TO', 'invalid_recipient'],
    [503, '503 5.5.1 bad sequence', 'DATA', 'unknown'],
  ])('%i %s at %s → %s', (code, response, command, expected) => {
    expect(classifySmtpReply(code, response, command)).toBe(expected);
  });
});
