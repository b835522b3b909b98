import type { Clock, Logger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';

export interface WebhookRetryPolicy {
  /** Wait after the first failed attempt, doubled after each next one, in ms. Default 30 000. */
  baseDelayMs: number;
  /** Longest wait between attempts, in ms. Default 3 600 000 (1 h). */
  maxDelayMs: number;
  /** Attempts before a delivery is given up (`failed`; a manual redelivery can still send it). Default 12. */
  maxAttempts: number;
  /** How long a partner may take to answer, in ms. Default 10 000. */
  timeoutMs: number;
  /** How often the dispatcher looks for due deliveries, in ms. Default 1000. */
  pollIntervalMs: number;
}

export const defaultWebhookRetry: WebhookRetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 12,
  timeoutMs: 10_000,
  pollIntervalMs: 1000,
};

/** The wait before the attempt after `attempts` failed ones. */
export const retryDelayMs = (policy: WebhookRetryPolicy, attempts: number) =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));

interface Claimed {
  id: number;
  attempts: number;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  url: string;
  secret: string;
}

interface Answer {
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
}

const RESPONSE_LOG_CHARS = 1024;
const BATCH = 20;

/** Takes up to BATCH due deliveries, each leased for one attempt (a crashed holder's lease runs out). */
async function claimDue(db: Db, now: Date, leaseMs: number): Promise<Claimed[]> {
  const until = new Date(now.getTime() + leaseMs);
  return rows<Claimed>(
    db,
    sql`
    UPDATE webhook_deliveries d
    SET leased_until = ${until.toISOString()}::timestamptz, attempts = d.attempts + 1
    FROM webhook_endpoints e
    WHERE e.id = d.endpoint_id AND d.id IN (
      SELECT w.id FROM webhook_deliveries w JOIN webhook_endpoints x ON x.id = w.endpoint_id AND x.enabled
      WHERE w.status = 'pending' AND w.next_attempt_at <= ${now.toISOString()}::timestamptz
        AND (w.leased_until IS NULL OR w.leased_until < ${now.toISOString()}::timestamptz)
      ORDER BY w.next_attempt_at, w.id
      LIMIT ${BATCH}
      FOR UPDATE OF w SKIP LOCKED)
    RETURNING d.id, d.attempts, d.event_id, d.event_type, d.payload, e.url, e.secret`,
  );
}

async function post(delivery: Claimed, now: Date, timeoutMs: number): Promise<Answer> {
  const body = JSON.stringify(delivery.payload);
  const started = Date.now();
  try {
    const res = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Qunfa-Webhooks/1',
        'qunfa-event-id': delivery.event_id,
        'qunfa-event-type': delivery.event_type,
        'qunfa-delivery-attempt': String(delivery.attempts),
        [SIGNATURE_HEADER]: signWebhook(delivery.secret, body, now),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    return {
      statusCode: res.status,
      error: res.ok ? null : `HTTP ${res.status}`,
      responseBody: text.slice(0, RESPONSE_LOG_CHARS) || null,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return {
      statusCode: null,
      error: `${error instanceof Error ? error.message : String(error)}${cause}`.slice(0, 500),
      responseBody: null,
      durationMs: Date.now() - started,
    };
  }
}

/** Writes the attempt to the log and the delivery's new state, in one transaction. */
async function record(db: Db, delivery: Claimed, answer: Answer, at: Date, policy: WebhookRetryPolicy) {
  const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
  const gaveUp = !ok && delivery.attempts >= policy.maxAttempts;
  const next = new Date(at.getTime() + retryDelayMs(policy, delivery.attempts));
  await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.execute(sql`
      INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms, response_body)
      VALUES (${delivery.id}, ${delivery.attempts}, ${at.toISOString()}::timestamptz, ${answer.statusCode},
              ${answer.error}, ${answer.durationMs}, ${answer.responseBody})`);
    await tx.execute(sql`
      UPDATE webhook_deliveries SET
        status = ${ok ? 'delivered' : gaveUp ? 'failed' : 'pending'},
        delivered_at = ${ok ? at.toISOString() : null}::timestamptz,
        next_attempt_at = ${(ok || gaveUp ? at : next).toISOString()}::timestamptz,
        last_status_code = ${answer.statusCode},
        last_error = ${answer.error},
        leased_until = NULL
      WHERE id = ${delivery.id} AND attempts = ${delivery.attempts}`);
  });
}

/**
 * Sends the outbox: claims due deliveries, POSTs each signed, logs the answer, and schedules
 * a failed one again with exponential back-off. Any number may run against one database.
 */
export function startWebhookDispatcher(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  policy?: Partial<WebhookRetryPolicy>;
}): { stop(): Promise<void>; drainOnce(): Promise<number> } {
  const policy = { ...defaultWebhookRetry, ...deps.policy };
  let running = true;
  let wake: (() => void) | undefined;
  const drainOnce = async (): Promise<number> => {
    const now = deps.clock.now();
    const claimed = await claimDue(deps.db, now, policy.timeoutMs + 5000);
    await Promise.all(
      claimed.map(async (delivery) => {
        const answer = await post(delivery, now, policy.timeoutMs);
        await record(deps.db, delivery, answer, deps.clock.now(), policy);
      }),
    );
    return claimed.length;
  };
  const loop = (async () => {
    while (running) {
      let sent = 0;
      try {
        sent = await drainOnce();
      } catch (error) {
        if (running) {
          deps.logger.warn('webhook dispatch failed; retrying', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      if (sent > 0 || !running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, policy.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    drainOnce,
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
