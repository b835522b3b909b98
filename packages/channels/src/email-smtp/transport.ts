import nodemailer from 'nodemailer';
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
  const transport = nodemailer.createTransport({
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
  return {
    async send(mail) {
      const info = await transport.sendMail(mail);
      return { response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}
