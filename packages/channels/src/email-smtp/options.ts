import { parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';

/** Options of `emailSmtp(options)`. */
export interface EmailSmtpOptions {
  /** Plugin name, `channel:<lower-case id>`, to load several servers. Default `channel:email-smtp`. */
  name?: `channel:${string}`;
  /** SMTP server host. Required. */
  host: string;
  /** Port. Default 465 when `secure`, else 587. */
  port?: number;
  /** TLS from the first byte (port 465). Default false: STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send unless STARTTLS succeeds (when not `secure`). Default true, except for 127.0.0.1/localhost. */
  requireTls?: boolean;
  /** Accept a self-signed server certificate (a test server). Default false. */
  allowSelfSigned?: boolean;
  /** Login (PLAIN/LOGIN). Default none (an open relay or IP-allowed submission). */
  auth?: { user: string; pass: string };
  /** The From address, `"品牌" <news@example.com>` or `news@example.com`. Required. */
  from: string;
  /** Reply-To address. Default none. */
  replyTo?: string;
  /** Envelope sender (MAIL FROM, where bounces go). Default the From address. */
  returnPath?: string;
  /** Domain of the deterministic Message-ID. Default the From address's domain. */
  messageIdDomain?: string;
  /** Pooled connections. Default 5. */
  poolSize?: number;
  /** Messages one pooled connection carries before it is renewed. Default 100. */
  messagesPerConnection?: number;
  /** Messages a second across the pool (nodemailer's rate limit). Default undefined (no pacing). */
  ratePerSecond?: number;
  /** Messages a day (the provider's quota). Default undefined. */
  maxSendsPerDay?: number;
  /** Recipients per `send` call (one message each). Default 50. */
  batchSize?: number;
  /** Connection and greeting timeout. Default 10000 (ms). */
  connectTimeoutMs?: number;
  /** Idle socket timeout, also waiting for the answer after DATA. Default 60000 (ms). */
  socketTimeoutMs?: number;
  /** Secret in the bounce webhook URL (`…/callbacks/email-smtp/bounce?token=…`). ≥ 16 characters. Default none (refused). */
  bounceToken?: string;
  /** Subject of `text` / `markdown` content, which has none. Default `''` (refused before start by the empty-subject check). */
  defaultSubject?: string;
}

export interface EmailSmtpConfig {
  name: `channel:${string}`;
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  allowSelfSigned: boolean;
  auth: { user: string; pass: string } | undefined;
  from: string;
  fromAddress: string;
  replyTo: string | undefined;
  returnPath: string;
  messageIdDomain: string;
  poolSize: number;
  messagesPerConnection: number;
  ratePerSecond: number | undefined;
  maxSendsPerDay: number | undefined;
  batchSize: number;
  connectTimeoutMs: number;
  socketTimeoutMs: number;
  bounceToken: string | undefined;
  defaultSubject: string;
}

const address = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$|^[^\s@<>"]+@(localhost|127\.0\.0\.1)$/;
const addressOf = (from: string) => (from.match(/<([^<>]+)>\s*$/)?.[1] ?? from).trim();
const isAddress = (v: string) => address.test(addressOf(v));

const schema = z.strictObject({
  name: z
    .string()
    .regex(/^channel:[a-z0-9][a-z0-9-]*$/, 'must be "channel:" followed by a lower-case id')
    .optional(),
  host: z.string().min(1, 'is required'),
  port: z.number().int().min(1).max(65535).optional(),
  secure: z.boolean().optional(),
  requireTls: z.boolean().optional(),
  allowSelfSigned: z.boolean().optional(),
  auth: z.strictObject({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  from: z.string().refine(isAddress, 'must be an e-mail address, optionally "Name" <address>'),
  replyTo: z.string().refine(isAddress, 'must be an e-mail address').optional(),
  returnPath: z.string().refine(isAddress, 'must be an e-mail address').optional(),
  messageIdDomain: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'must be a domain')
    .optional(),
  poolSize: z.number().int().min(1).max(100).optional(),
  messagesPerConnection: z.number().int().min(1).optional(),
  ratePerSecond: z.number().positive().optional(),
  maxSendsPerDay: z.number().int().positive().optional(),
  batchSize: z.number().int().min(1).max(1000).optional(),
  connectTimeoutMs: z.number().int().min(100).optional(),
  socketTimeoutMs: z.number().int().min(100).optional(),
  bounceToken: z.string().min(16, 'must be at least 16 characters').optional(),
  defaultSubject: z.string().optional(),
});

export function parseEmailSmtpOptions(options: EmailSmtpOptions): EmailSmtpConfig {
  const o = parsePluginOptions(options?.name ?? 'channel:email-smtp', schema, options);
  const secure = o.secure ?? false;
  const fromAddress = addressOf(o.from);
  const local = o.host === '127.0.0.1' || o.host === 'localhost' || o.host === '::1';
  return {
    name: (o.name ?? 'channel:email-smtp') as `channel:${string}`,
    host: o.host,
    port: o.port ?? (secure ? 465 : 587),
    secure,
    requireTls: o.requireTls ?? !local,
    allowSelfSigned: o.allowSelfSigned ?? false,
    auth: o.auth,
    from: o.from,
    fromAddress,
    replyTo: o.replyTo,
    returnPath: o.returnPath ? addressOf(o.returnPath) : fromAddress,
    messageIdDomain: o.messageIdDomain ?? fromAddress.slice(fromAddress.lastIndexOf('@') + 1),
    poolSize: o.poolSize ?? 5,
    messagesPerConnection: o.messagesPerConnection ?? 100,
    ratePerSecond: o.ratePerSecond,
    maxSendsPerDay: o.maxSendsPerDay,
    batchSize: o.batchSize ?? 50,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    socketTimeoutMs: o.socketTimeoutMs ?? 60_000,
    bounceToken: o.bounceToken,
    defaultSubject: o.defaultSubject ?? '',
  };
}
