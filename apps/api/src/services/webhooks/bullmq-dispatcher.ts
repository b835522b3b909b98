import { Queue, Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { closeRedis, connectRedis } from '../../adapters/redis-connection.js';
import { type Db, rows } from '../../db/database.js';
import { attemptDelivery, claimDeliveries, type WebhookRetryPolicy } from './deliver.js';
import type { WebhookDispatcher, WebhookDispatcherDeps } from './dispatcher.js';
import { pollLoop } from './poll-loop.js';

/** A delivery's job id: one per delivery and attempt, so a relay and a retry never double it. */
export const webhookJobId = (deliveryId: number, attempts: number) => `webhook-${deliveryId}-${attempts}`;

/** How long past its due time a relayed job may take before the relay offers the delivery again. */
const HOLD_MS = 5 * 60_000;
const RELAY_BATCH = 500;
const CONCURRENCY = 10;

interface JobData {
  deliveryId: number;
}

/**
 * Marks pending deliveries of enabled endpoints that have no live job (new, or their job was
 * lost with Redis) as queued, and returns them: the relay of the transactional outbox.
 */
async function takeUnqueued(db: Db, now: Date) {
  return rows<{ id: number; attempts: number; next_attempt_at: Date | string }>(
    db,
    sql`
    UPDATE webhook_deliveries d SET queued_until = greatest(d.next_attempt_at, ${now.toISOString()}::timestamptz)
                                                  + ${`${HOLD_MS} milliseconds`}::interval
    WHERE d.id IN (
      SELECT w.id FROM webhook_deliveries w JOIN webhook_endpoints e ON e.id = w.endpoint_id AND e.enabled
      WHERE w.status = 'pending' AND (w.queued_until IS NULL OR w.queued_until < ${now.toISOString()}::timestamptz)
      ORDER BY w.next_attempt_at, w.id
      LIMIT ${RELAY_BATCH}
      FOR UPDATE OF w SKIP LOCKED)
    RETURNING d.id, d.attempts, d.next_attempt_at`,
  );
}

/**
 * Webhook attempts as BullMQ jobs when Redis is configured. The PostgreSQL outbox stays the
 * truth (a row is written with the change it reports); a relay moves its pending rows into a
 * `webhooks` queue as delayed jobs, any worker process takes them, and a failed attempt's
 * back-off is the next job's delay, held in Redis across restarts. A job lost with Redis is
 * offered again by the relay once its hold has passed; a job for a delivery already sent,
 * leased elsewhere or whose endpoint is disabled does nothing.
 */
export function startBullmqWebhookDispatcher(
  deps: WebhookDispatcherDeps & { redis: { url: string; prefix: string } },
  policy: WebhookRetryPolicy,
): WebhookDispatcher {
  const { db, clock, logger } = deps;
  const onError = (error: Error) => logger.warn('webhook queue: Redis error', { error: error.message });
  const connection = connectRedis(deps.redis.url, `${deps.redis.prefix}:webhooks`, onError);
  const workerConnection = connectRedis(deps.redis.url, `${deps.redis.prefix}:webhooks-worker`, onError);
  const queue = new Queue<JobData>('webhooks', { connection, prefix: deps.redis.prefix });
  const jobOptions = {
    removeOnComplete: true,
    removeOnFail: true,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
  };

  const schedule = (deliveryId: number, attempts: number, dueAt: Date) =>
    queue.add(
      'delivery',
      { deliveryId },
      {
        ...jobOptions,
        jobId: webhookJobId(deliveryId, attempts),
        delay: Math.max(0, dueAt.getTime() - clock.now().getTime()),
      },
    );

  const worker = new Worker<JobData>(
    'webhooks',
    async (job) => {
      const id = Number(job.data.deliveryId);
      const [delivery] = await claimDeliveries(db, clock.now(), policy.timeoutMs + 5000, { ids: [id] }, 1000);
      if (!delivery) {
        // Sent already, or its endpoint disabled: nothing to do. Still pending (held by another
        // attempt's transaction, or leased): fail the job, so BullMQ tries it again shortly.
        const [row] = await rows<{ pending: boolean }>(
          db,
          sql`SELECT d.status = 'pending' AND e.enabled AS pending FROM webhook_deliveries d
              JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ${id}`,
        );
        if (row?.pending) throw new Error(`webhook delivery ${id} is not free yet; trying again`);
        return;
      }
      const recorded = await attemptDelivery(deps, policy, delivery);
      if (recorded.status !== 'pending' || recorded.disabledEndpoint) return;
      // Marked before the job exists, so the job never meets the row locked by this update.
      await db.execute(sql`
        UPDATE webhook_deliveries SET queued_until = ${new Date(recorded.nextAttemptAt.getTime() + HOLD_MS).toISOString()}::timestamptz
        WHERE id = ${delivery.id} AND attempts = ${delivery.attempts}`);
      await schedule(Number(delivery.id), delivery.attempts, recorded.nextAttemptAt);
    },
    { connection: workerConnection, prefix: deps.redis.prefix, concurrency: CONCURRENCY },
  );
  worker.on('error', onError);
  worker.on('failed', (job, error) => {
    const gaveUp = (job?.attemptsMade ?? 0) >= jobOptions.attempts;
    // Given up: the relay offers the delivery again once its hold has passed.
    logger[gaveUp ? 'warn' : 'debug'](
      `webhook job failed${gaveUp ? '; left to the relay' : '; tried again'}`,
      {
        deliveryId: job?.data.deliveryId,
        error: error.message,
      },
    );
  });

  const relay = pollLoop(
    async () => {
      const found = await takeUnqueued(db, clock.now());
      if (found.length > 0) {
        // What is marked and not added (Redis away) is offered again when its hold runs out.
        await queue.addBulk(
          found.map((d) => ({
            name: 'delivery',
            data: { deliveryId: Number(d.id) },
            opts: {
              ...jobOptions,
              jobId: webhookJobId(Number(d.id), d.attempts),
              delay: Math.max(0, new Date(d.next_attempt_at).getTime() - clock.now().getTime()),
            },
          })),
        );
      }
      return found.length === RELAY_BATCH;
    },
    { intervalMs: policy.pollIntervalMs, logger, what: 'webhook relay' },
  );

  return {
    kind: 'bullmq',
    async stop() {
      await relay.stop();
      await worker.close();
      await queue.close();
      await closeRedis(workerConnection);
      await closeRedis(connection);
    },
  };
}
