import {
  type Clock,
  type EventBus,
  type Logger,
  MemoryEventBus,
  MemoryQueue,
  MemoryRateLimiter,
  type PluginState,
  type Queue,
  type RateLimiter,
  systemClock,
} from '@qunfa/core';
import type { AppConfig } from '../config.js';
import { createBullmqQueue } from './bullmq-queue.js';
import { createPgEventBus } from './pg-event-bus.js';
import { createRedisEventBus } from './redis-event-bus.js';
import { createRedisPluginState } from './redis-plugin-state.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';
import { requestLimiterOn } from './request-limiter.js';

export interface Ports {
  queue: Queue;
  bus: EventBus;
  limiter: RateLimiter;
  /** API requests per key: the shared limiter, or this process's own while Redis is unreachable. */
  requestLimiter: RateLimiter;
  /** Channels' shared state on Redis; undefined: the app keeps it in the database. */
  pluginState?: PluginState;
  /** Which implementations were chosen, for the start banner and logs. */
  kind: 'redis' | 'postgres-notify' | 'in-process';
  close(): Promise<void>;
}

/**
 * Queue, event bus, rate limiter and plugin state for this process: Redis (BullMQ, pub/sub, Lua limits)
 * when `REDIS_URL` is set, so any number of API and worker processes share them; otherwise
 * in-process ones, with events over PostgreSQL NOTIFY when the database is PostgreSQL (and
 * plugin state in the database, see `createSqlPluginState`).
 */
export async function openPorts(
  config: AppConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<Ports> {
  if (config.redisUrl) {
    const settings = { url: config.redisUrl, prefix: config.redisPrefix ?? 'qunfa' };
    const leaseMs = config.leaseMs ?? 60_000;
    const redisError = (what: string) => (error: Error) =>
      logger.warn(`${what}: Redis error`, { error: error.message });
    const queue = createBullmqQueue({
      ...settings,
      // A dead worker's job is offered again about when its batch lease has expired.
      lockMs: Math.min(30_000, leaseMs),
      clock,
      onError: (error) => logger.warn('batch queue error', { error: error.message }),
    });
    const limiter = createRedisRateLimiter({ ...settings, onError: redisError('rate limiter') });
    const bus = await createRedisEventBus({ ...settings, onError: redisError('event bus') });
    const pluginState = createRedisPluginState(settings);
    return {
      queue,
      bus,
      limiter,
      requestLimiter: requestLimiterOn(limiter),
      pluginState,
      kind: 'redis',
      async close() {
        await queue.close();
        await bus.close();
        await limiter.close();
        await pluginState.close();
      },
    };
  }
  const queue = new MemoryQueue({ clock });
  const limiter = new MemoryRateLimiter();
  // With PostgreSQL, events cross processes (API ⇄ worker) over LISTEN/NOTIFY.
  const bus = config.databaseUrl ? await createPgEventBus(config.databaseUrl) : new MemoryEventBus();
  return {
    queue,
    bus,
    limiter,
    requestLimiter: limiter,
    kind: config.databaseUrl ? 'postgres-notify' : 'in-process',
    async close() {
      await queue.close();
      await bus.close();
    },
  };
}
