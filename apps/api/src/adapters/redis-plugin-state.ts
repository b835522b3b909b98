import type { PluginState } from '@qunfa/core';
import { closeRedis, connectRedis, type RedisSettings } from './redis-connection.js';

/** Keys one MGET or pipeline carries. */
const MANY_SLICE = 1000;

/** Plugin state on Redis: one string key each, expiring by Redis's own TTL. */
export function createRedisPluginState(settings: RedisSettings): PluginState & { close(): Promise<void> } {
  const redis = connectRedis(settings.url, `${settings.prefix}:state`);
  const k = (key: string) => `${settings.prefix}:state:${key}`;
  const ttl = (ttlMs: number | undefined) =>
    ttlMs === undefined ? [] : (['PX', Math.max(1, Math.ceil(ttlMs))] as const);
  return {
    async get<T>(key: string) {
      const json = await redis.get(k(key));
      return json === null ? undefined : (JSON.parse(json) as T);
    },
    async set(key, value, ttlMs) {
      await redis.set(k(key), JSON.stringify(value ?? null), ...(ttl(ttlMs) as []));
    },
    async setIfAbsent(key, value, ttlMs) {
      const done = await redis.set(k(key), JSON.stringify(value ?? null), ...(ttl(ttlMs) as []), 'NX');
      return done === 'OK';
    },
    async delete(key) {
      await redis.del(k(key));
    },
    async getMany<T>(keys: readonly string[]) {
      const out: (T | undefined)[] = [];
      for (let i = 0; i < keys.length; i += MANY_SLICE) {
        const got = await redis.mget(...keys.slice(i, i + MANY_SLICE).map(k));
        out.push(...got.map((json) => (json === null ? undefined : (JSON.parse(json) as T))));
      }
      return out;
    },
    async setMany(entries, ttlMs) {
      for (let i = 0; i < entries.length; i += MANY_SLICE) {
        const pipeline = redis.pipeline();
        for (const e of entries.slice(i, i + MANY_SLICE))
          pipeline.set(k(e.key), JSON.stringify(e.value ?? null), ...(ttl(ttlMs) as []));
        const results = await pipeline.exec();
        const failed = results?.find(([error]) => error !== null)?.[0];
        if (failed) throw failed;
      }
    },
    close: () => closeRedis(redis),
  };
}
