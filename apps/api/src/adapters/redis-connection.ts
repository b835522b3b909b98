import { Redis, type RedisOptions } from 'ioredis';

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
 * While Redis is away ioredis reconnects on its own (every 2 s at most); each lost connection
 * is reported once to `onError`, not on every attempt — without a listener ioredis would print
 * "Unhandled error event" for every try.
 */
export function connectRedis(
  url: string,
  name: string,
  onError?: (error: Error) => void,
  /** More ioredis options (e.g. `enableAutoPipelining`). */
  options: RedisOptions = {},
): Redis {
  const redis = new Redis(url, {
    ...options,
    maxRetriesPerRequest: null,
    connectionName: name,
    lazyConnect: false,
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    onError?.(error);
  });
  redis.on('ready', () => {
    reported = false;
  });
  return redis;
}

/** Whether the connection is up, waiting at most `timeoutMs` for it (a first connect, a reconnect). */
export async function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  if (redis.status === 'end') return false;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}

/** Closes a connection, quitting politely when it is up and dropping it otherwise. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    // A quit would wait in the offline queue for a Redis that may not come back.
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
