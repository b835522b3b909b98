import type { Clock, Logger } from '@qunfa/core';
import type { Db } from '../../db/database.js';
import { startBullmqWebhookDispatcher } from './bullmq-dispatcher.js';
import { attemptDelivery, claimDeliveries, defaultWebhookRetry, type WebhookRetryPolicy } from './deliver.js';
import { pollLoop } from './poll-loop.js';

export { defaultWebhookRetry, retryDelayMs, type WebhookRetryPolicy } from './deliver.js';

export interface WebhookDispatcher {
  /** Where due deliveries come from: the PostgreSQL outbox polled, or BullMQ jobs relayed from it. */
  kind: 'postgres' | 'bullmq';
  stop(): Promise<void>;
}

export interface WebhookDispatcherDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  policy?: Partial<WebhookRetryPolicy>;
  /** Set: attempts are BullMQ jobs on this Redis, delays and back-off held there (see bullmq-dispatcher). */
  redis?: { url: string; prefix: string } | undefined;
}

const BATCH = 20;

/**
 * Sends the outbox: with Redis, through BullMQ; otherwise by polling PostgreSQL for due
 * deliveries (leased with SKIP LOCKED, so any number of processes may run one). Either way the
 * outbox row, written in the transaction of the change, is the truth; a lost job loses nothing.
 */
export function startWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const policy: WebhookRetryPolicy = { ...defaultWebhookRetry, ...deps.policy };
  if (deps.redis) return startBullmqWebhookDispatcher({ ...deps, redis: deps.redis }, policy);
  const loop = pollLoop(
    async () => {
      const claimed = await claimDeliveries(deps.db, deps.clock.now(), policy.timeoutMs + 5000, {
        limit: BATCH,
      });
      await Promise.all(claimed.map((delivery) => attemptDelivery(deps, policy, delivery)));
      return claimed.length > 0;
    },
    { intervalMs: policy.pollIntervalMs, logger: deps.logger, what: 'webhook dispatch' },
  );
  return { kind: 'postgres', stop: () => loop.stop() };
}
