import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** A message the fake accepted, parsed as a mail client would. */
export interface FakeSmtpMessage {
  envelope: { from: string; to: string[] };
  messageId: string | undefined;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Header values as written, unfolded, by lower-case name (the first of each). */
  headers: Record<string, string>;
}

export interface FakeSmtpOptions {
  /** Accepted login. Default none (no AUTH). */
  auth?: { user: string; pass: string };
  /** Recipients refused at RCPT TO, with the reply (`550 5.1.1 …`). Default none. */
  refuse?: Record<string, string>;
}

/** What the fake does with the next messages. */
export type FakeSmtpFault =
  /** Answer the DATA (after the body) with this reply: `451 4.3.0 …`, `554 5.7.1 …`. */
  | { kind: 'reply'; reply: string }
  /** Take the message (it is recorded) but never answer the final dot: the client times out. */
  | { kind: 'hold-after-data' };

export interface FakeSmtp {
  host: string;
  port: number;
  /** Messages accepted (and those taken then held), in order. */
  messages: FakeSmtpMessage[];
  /** Every RCPT TO the fake saw, accepted or not. */
  rcpts: string[];
  /** The next `times` messages meet `fault`. */
  fail(fault: FakeSmtpFault, times?: number): void;
  /** Refuses every connection until `restore()` (an outage). */
  outage(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A reply as smtp-server takes it: an Error with `responseCode`. */
function replyError(reply: string): Error & { responseCode: number } {
  const code = Number(reply.slice(0, 3));
  return Object.assign(new Error(reply.slice(4)), { responseCode: code });
}

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

function headerText(value: unknown): string {
  const v = first(value);
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text);
  if (v && typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value);
  return v instanceof Date ? v.toISOString() : String(v ?? '');
}

/**
 * A local SMTP server (RFC 5321, by `smtp-server`) that parses what it receives with `mailparser`:
 * AUTH PLAIN/LOGIN when configured, refusals per recipient at RCPT TO, faults after DATA, outages.
 */
export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const messages: FakeSmtpMessage[] = [];
  const rcpts: string[] = [];
  const faults: FakeSmtpFault[] = [];
  let down = false;
  const serverOptions: SMTPServerOptions = {
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.auth,
    logger: false,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      if (down) return callback(replyError('421 4.3.2 service not available'));
      callback();
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass)
        return callback(null, { user: auth.username });
      callback(replyError('535 5.7.8 authentication failed'));
    },
    onRcptTo(address, _session, callback) {
      rcpts.push(address.address);
      const refused = options.refuse?.[address.address];
      if (refused) return callback(replyError(refused));
      callback();
    },
    onData(stream, session, callback) {
      const fault = faults.shift();
      simpleParser(stream, { skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true })
        .then((mail) => {
          const headers: Record<string, string> = {};
          // As written (mailparser folds List-* headers into one structured `list` value).
          for (const { key, line } of mail.headerLines)
            headers[key] ??= line
              .slice(line.indexOf(':') + 1)
              .replace(/\r?\n[ \t]+/g, ' ')
              .trim();
          messages.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            messageId: mail.messageId?.replace(/[<>]/g, ''),
            from: headerText(mail.from),
            to: headerText(mail.to),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            headers,
          });
          if (fault?.kind === 'hold-after-data') return; // never answered
          if (fault?.kind === 'reply') return callback(replyError(fault.reply));
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    rcpts,
    fail(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    outage() {
      down = true;
    },
    restore() {
      down = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A delivery status notification (RFC 3464, in a `multipart/report` of RFC 6522) as a receiving
 * MTA writes it when `recipient` of the message `messageId` failed with `status` (`5.1.1`).
 */
export function dsnFor(
  messageId: string,
  recipient: string,
  options: { status?: string; diagnostic?: string; action?: string; date?: Date } = {},
): string {
  const status = options.status ?? '5.1.1';
  const date = (options.date ?? new Date('2026-12-04T08:00:00Z')).toUTCString();
  const boundary = 'dsn-boundary-0001';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
    `To: bounces@${messageId.slice(messageId.lastIndexOf('@') + 1)}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${date}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.com. Your message could not be delivered.',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.com',
    `Arrival-Date: ${date}`,
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822; ${recipient}`,
    `Action: ${options.action ?? 'failed'}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mx.example.com',
    `Diagnostic-Code: smtp; ${options.diagnostic ?? `550 ${status} <${recipient}>: Recipient address rejected: User unknown`}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: <${messageId}>`,
    `To: ${recipient}`,
    'Subject: 会员日',
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
