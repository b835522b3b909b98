import type { EventBus, Queue, RateLimiter } from '@qunfa/core';
import {
  describeEventBusContract,
  describeQueueContract,
  describeRateLimiterContract,
} from '@qunfa/core/testing';
import { afterAll } from 'vitest';
import { createBullmqQueue } from '../src/adapters/bullmq-queue.js';
import { createRedisEventBus } from '../src/adapters/redis-event-bus.js';
import { createRedisRateLimiter } from '../src/adapters/redis-rate-limiter.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';

const prefixes: string[] = [];

/** Every `open` is a new client with its own Redis connections, on a prefix fresh for the test. */
function redisHarness<T>(
  open: (settings: { url: string; prefix: string }) => Promise<T>,
  end: (t: T) => Promise<void>,
) {
  return async () => {
    const settings = { url: testRedisUrl, prefix: testRedisPrefix('ports') };
    prefixes.push(settings.prefix);
    const opened: T[] = [];
    return {
      async open() {
        const handle = await open(settings);
        opened.push(handle);
        return handle;
      },
      async close() {
        await Promise.all(opened.splice(0).map(end));
      },
    };
  };
}

describeQueueContract(
  'BullMQ',
  redisHarness<Queue>(
    async (s) => createBullmqQueue({ ...s, retryDelayMs: 100, lockMs: 2000 }),
    (q) => q.close(),
  ),
);
describeRateLimiterContract(
  'Redis',
  redisHarness<RateLimiter & { close(): Promise<void> }>(
    async (s) => createRedisRateLimiter(s),
    (l) => l.close(),
  ),
);
describeEventBusContract(
  'Redis pub/sub',
  redisHarness<EventBus>(createRedisEventBus, (b) => b.close()),
);

afterAll(async () => {
  await Promise.all(prefixes.map(dropRedisPrefix));
});
