import type { Logger } from '@qunfa/core';
import pino, { type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * Keys whose values never reach a log line, whatever a caller passes: message bodies,
 * addresses, phone numbers, secrets. A backstop; callers log ids and classes, not content.
 */
export const REDACTED_KEYS = [
  'text',
  'body',
  'content',
  'address',
  'phone',
  'email',
  'secret',
  'token',
  'password',
  'authorization',
] as const;

/**
 * Structured JSON lines through pino (on stderr unless `destination` is given): `level` as a
 * word, ISO `time`, the message under `message`, and the fields; the `REDACTED_KEYS`, at the top
 * level or one level down, are censored.
 */
export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  destination: DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  const redact = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]);
  const log = pino(
    {
      level,
      base,
      // `message`, as the hand-written logger wrote it: log queries and tests keep working.
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redact, censor: '[redacted]' },
    },
    destination,
  );
  const write =
    (lvl: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      if (fields) log[lvl](fields, message);
      else log[lvl](message);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
