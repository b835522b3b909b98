import type { PluginState } from '@qunfa/core';
import { closeRedis, connectRedis, type RedisSettings } from './redis-connection.js';

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
    close: () => closeRedis(redis),
  };
}
