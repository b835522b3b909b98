import { Redis } from 'ioredis';

/** Where Redis is and how our keys are named on it. */
export interface RedisSettings {
  /** `redis://host:port/db`. */
  url: string;
  /** Start of every key, queue and channel name, so several deployments (or tests) share one Redis. */
  prefix: string;
}

/**
 * A connection that waits for Redis to come back instead of failing commands after a few
 * retries: BullMQ requires `maxRetriesPerRequest: null`, and the limiter and bus want the same.
 */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}

/** Closes a connection, quitting politely when it is up and dropping it otherwise. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
