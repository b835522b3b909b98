import type { Transporter } from 'nodemailer';
import type { MailFor } from './message.js';
import type { EmailSmtpConfig } from './options.js';

/** The answer of the server to one message, as nodemailer reports it. */
export interface SmtpSendError extends Error {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  timeoutType?: string;
}

export interface SmtpTransport {
  send(mail: MailFor): Promise<{ response: string }>;
  close(): void;
}

/** A pooled nodemailer SMTP transport: `poolSize` connections, each renewed after `messagesPerConnection`. */
export function createSmtpTransport(config: EmailSmtpConfig): SmtpTransport {
  // nodemailer is loaded at the first message (~15 MB resident): a process that loads the
  // built-in channels without sending e-mail need not carry it.
  let transport: Promise<Transporter> | undefined;
  const open = () => {
    transport ??= import('nodemailer').then((m) => createTransport(m.default, config));
    return transport;
  };
  return {
    async send(mail) {
      const info = await (await open()).sendMail(mail);
      return { response: String(info.response ?? '') };
    },
    close: () => void transport?.then((t) => t.close()),
  };
}

function createTransport(
  nodemailer: typeof import('nodemailer').default,
  config: EmailSmtpConfig,
): Transporter {
  return nodemailer.createTransport({
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: !config.secure && config.requireTls,
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    maxConnections: config.poolSize,
    maxMessages: config.messagesPerConnection,
    connectionTimeout: config.connectTimeoutMs,
    greetingTimeout: config.connectTimeoutMs,
    socketTimeout: config.socketTimeoutMs,
    tls: { rejectUnauthorized: !config.allowSelfSigned },
    // Never log message bodies or addresses.
    logger: false,
    debug: false,
  });
}
