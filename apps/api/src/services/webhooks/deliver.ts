import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Clock, isQunfaError, type Logger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { writeAudit } from '../../store/audit.js';
import { guardedLookup, literalForbidden, type WebhookAddressPolicy } from './address-guard.js';
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
  /** Failed attempts in a row (any of its deliveries) after which an endpoint is disabled; 0: never. Default 50. */
  disableAfterFailures: number;
  /** Which addresses deliveries may reach; default public unicast only. */
  addresses: WebhookAddressPolicy;
}

export const defaultWebhookRetry: WebhookRetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 12,
  timeoutMs: 10_000,
  pollIntervalMs: 1000,
  disableAfterFailures: 50,
  addresses: { allow: [] },
};

/** The wait before the attempt after `attempts` failed ones. */
export const retryDelayMs = (policy: WebhookRetryPolicy, attempts: number) =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));

/** A delivery leased for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: number;
  attempts: number;
  endpoint_id: number;
  workspace_id: number;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  url: string;
  secret: string;
}

export interface Answer {
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
}

const RESPONSE_LOG_CHARS = 1024;

/**
 * Leases due deliveries of enabled endpoints for one attempt each (a crashed holder's lease runs
 * out), all due ones up to `limit`, or only `ids`.
 */
export async function claimDeliveries(
  db: Db,
  now: Date,
  leaseMs: number,
  which: { limit: number } | { ids: number[] },
  /** Take deliveries due this much later too (a delayed job's timer may fire a little early). */
  slackMs = 0,
): Promise<ClaimedDelivery[]> {
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const due = new Date(now.getTime() + slackMs).toISOString();
  const leaseOver = now.toISOString();
  const only = 'ids' in which ? sql`AND w.id = ANY(${`{${which.ids.join(',')}}`}::bigint[])` : sql``;
  const limit = 'ids' in which ? which.ids.length : which.limit;
  return rows<ClaimedDelivery>(
    db,
    sql`
    UPDATE webhook_deliveries d
    SET leased_until = ${until}::timestamptz, attempts = d.attempts + 1
    FROM webhook_endpoints e
    WHERE e.id = d.endpoint_id AND d.id IN (
      SELECT w.id FROM webhook_deliveries w JOIN webhook_endpoints x ON x.id = w.endpoint_id AND x.enabled
      WHERE w.status = 'pending' AND w.next_attempt_at <= ${due}::timestamptz
        AND (w.leased_until IS NULL OR w.leased_until < ${leaseOver}::timestamptz) ${only}
      ORDER BY w.next_attempt_at, w.id
      LIMIT ${limit}
      FOR UPDATE OF w SKIP LOCKED)
    RETURNING d.id, d.attempts, d.endpoint_id, d.workspace_id, d.event_id, d.event_type, d.payload, e.url, e.secret`,
  );
}

/**
 * POSTs one signed delivery. The host is resolved and checked on the connection itself, so a
 * name that resolved to a public address at registration and to a private one now is refused.
 */
export function postDelivery(
  delivery: ClaimedDelivery,
  now: Date,
  policy: Pick<WebhookRetryPolicy, 'timeoutMs' | 'addresses'>,
): Promise<Answer> {
  const body = JSON.stringify(delivery.payload);
  const started = Date.now();
  const failed = (error: unknown): Answer => {
    const message = error instanceof Error ? error.message : String(error);
    const code = isQunfaError(error) ? `${error.code}: ` : '';
    return {
      statusCode: null,
      error: `${code}${message}`.slice(0, 500),
      responseBody: null,
      durationMs: Date.now() - started,
    };
  };
  let url: URL;
  try {
    url = new URL(delivery.url);
  } catch (error) {
    return Promise.resolve(failed(error));
  }
  const refused = literalForbidden(url, policy.addresses);
  if (refused) return Promise.resolve(failed(refused));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Qunfa-Webhooks/1',
          'qunfa-event-id': delivery.event_id,
          'qunfa-event-type': delivery.event_type,
          'qunfa-delivery-attempt': String(delivery.attempts),
          [SIGNATURE_HEADER]: signWebhook(delivery.secret, body, now),
        },
        lookup: guardedLookup(policy.addresses) as never,
        timeout: policy.timeoutMs,
        signal: AbortSignal.timeout(policy.timeoutMs),
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < RESPONSE_LOG_CHARS) text += chunk;
        });
        res.on('error', (error) => resolve(failed(error)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve({
            statusCode: status,
            error: ok ? null : `HTTP ${status}`,
            responseBody: text.slice(0, RESPONSE_LOG_CHARS) || null,
            durationMs: Date.now() - started,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${policy.timeoutMs} ms`)));
    req.on('error', (error) => resolve(failed(error)));
    req.end(body);
  });
}

export interface Recorded {
  /** The delivery's new state. */
  status: 'delivered' | 'pending' | 'failed';
  /** When it is due again, for `pending`. */
  nextAttemptAt: Date;
  /** The endpoint was turned off by this attempt (too many failures in a row). */
  disabledEndpoint: boolean;
}

/**
 * Writes the attempt to the log, the delivery's new state and the endpoint's failure streak, in
 * one transaction; the attempt that makes the streak reach `disableAfterFailures` disables the
 * endpoint (its pending deliveries wait for an admin to enable it again).
 */
export async function recordAttempt(
  db: Db,
  delivery: ClaimedDelivery,
  answer: Answer,
  at: Date,
  policy: WebhookRetryPolicy,
): Promise<Recorded> {
  const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
  const gaveUp = !ok && delivery.attempts >= policy.maxAttempts;
  const status = ok ? 'delivered' : gaveUp ? 'failed' : 'pending';
  const next = ok || gaveUp ? at : new Date(at.getTime() + retryDelayMs(policy, delivery.attempts));
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.execute(sql`
      INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms, response_body)
      VALUES (${delivery.id}, ${delivery.attempts}, ${at.toISOString()}::timestamptz, ${answer.statusCode},
              ${answer.error}, ${answer.durationMs}, ${answer.responseBody})`);
    await tx.execute(sql`
      UPDATE webhook_deliveries SET
        status = ${status},
        delivered_at = ${ok ? at.toISOString() : null}::timestamptz,
        next_attempt_at = ${next.toISOString()}::timestamptz,
        last_status_code = ${answer.statusCode},
        last_error = ${answer.error},
        leased_until = NULL
      WHERE id = ${delivery.id} AND attempts = ${delivery.attempts}`);
    const limit = policy.disableAfterFailures;
    const [endpoint] = await rows<{ consecutive_failures: number; disabled: boolean }>(
      tx,
      sql`
      UPDATE webhook_endpoints SET
        consecutive_failures = ${ok ? sql`0` : sql`consecutive_failures + 1`},
        enabled = enabled AND NOT (${!ok && limit > 0} AND consecutive_failures + 1 >= ${limit}),
        disabled_reason = CASE WHEN enabled AND ${!ok && limit > 0} AND consecutive_failures + 1 >= ${limit}
                               THEN 'consecutive_failures' ELSE disabled_reason END,
        disabled_at = CASE WHEN enabled AND ${!ok && limit > 0} AND consecutive_failures + 1 >= ${limit}
                           THEN ${at.toISOString()}::timestamptz ELSE disabled_at END
      WHERE id = ${delivery.endpoint_id}
      RETURNING consecutive_failures, (disabled_at = ${at.toISOString()}::timestamptz AND NOT enabled) AS disabled`,
    );
    const disabledEndpoint = endpoint?.disabled === true;
    if (disabledEndpoint) {
      await writeAudit(tx, {
        workspaceId: delivery.workspace_id,
        actor: { kind: 'system', id: 'webhooks' },
        action: 'webhook_endpoint.disabled',
        subjectType: 'webhook_endpoint',
        subjectId: delivery.endpoint_id,
        details: {
          reason: 'consecutive_failures',
          failures: endpoint!.consecutive_failures,
          lastError: answer.error,
        },
        at,
      });
    }
    return { status, nextAttemptAt: next, disabledEndpoint };
  });
}

/** Sends one claimed delivery and records the answer; what the two transports share. */
export async function attemptDelivery(
  deps: { db: Db; clock: Clock; logger: Logger },
  policy: WebhookRetryPolicy,
  delivery: ClaimedDelivery,
) {
  const answer = await postDelivery(delivery, deps.clock.now(), policy);
  const recorded = await recordAttempt(deps.db, delivery, answer, deps.clock.now(), policy);
  if (recorded.disabledEndpoint) {
    deps.logger.warn('webhook endpoint disabled after failures in a row', {
      endpointId: delivery.endpoint_id,
      failures: policy.disableAfterFailures,
      lastError: answer.error,
    });
  }
  return recorded;
}
