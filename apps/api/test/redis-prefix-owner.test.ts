import { isQunfaError } from '@qunfa/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { prefixOwnerKey } from '../src/adapters/redis-prefix-owner.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('one Redis prefix, one database (PostgreSQL + Redis)', () => {
  const prefix = testRedisPrefix('prefix-owner');
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) await t.stop();
    await dropRedisPrefix(prefix);
  });

  it("refuses a second database on a prefix the first one claimed, and lets the first one's processes share it", async () => {
    const overrides = { worker: 'off' as const, redisUrl: testRedisUrl, redisPrefix: prefix };
    const first = await startTestApp('postgres', overrides);
    apps.push(first);
    const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
    try {
      const owner = await redis.get(prefixOwnerKey(prefix));
      expect(owner).toMatch(/^[0-9a-f]{24}$/);

      // Another database, same Redis and prefix: refused before it touches any queue or key.
      const keysBefore = (await redis.keys(`${prefix}:*`)).sort();
      const refused = await startTestApp('postgres', overrides).then(
        (t) => {
          apps.push(t);
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(isQunfaError(refused) && refused.code).toBe('CONFLICT');
      expect(isQunfaError(refused) && refused.details).toMatchObject({
        field: 'REDIS_PREFIX',
        prefix,
        owner,
      });
      expect((await redis.keys(`${prefix}:*`)).sort()).toEqual(keysBefore);

      // A second process of the first database (a worker) shares it.
      const again = await startTestApp('postgres', overrides, undefined, {}, first.app.config.databaseUrl);
      apps.push(again);
      expect(await redis.get(prefixOwnerKey(prefix))).toBe(owner);

      // Redis keeps nothing on disk: once the claim is gone, the next start claims the prefix again.
      await redis.del(prefixOwnerKey(prefix));
      const third = await startTestApp('postgres', overrides, undefined, {}, first.app.config.databaseUrl);
      apps.push(third);
      expect(await redis.get(prefixOwnerKey(prefix))).toBe(owner);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
