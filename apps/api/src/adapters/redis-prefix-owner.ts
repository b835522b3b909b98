import { type Clock, type Logger, QunfaError } from '@qunfa/core';
import type { Database } from '../db/database.js';
import { installationId } from '../db/installation-id.js';
import { closeRedis, connectRedis, type RedisSettings, whenReady } from './redis-connection.js';

/** The key naming the database a Redis prefix belongs to. */
export const prefixOwnerKey = (prefix: string) => `${prefix}:installation`;

/**
 * One Redis prefix, one Qunfa database. Batch job ids, rate-limit buckets, plugin state and event
 * channels are named by ids that start at 1 in every database: two installations on one Redis
 * with the same REDIS_PREFIX took each other's names — BullMQ ignores a job whose id is still
 * queued, so a batch silently waited behind another database's delayed job (seen in bench/events),
 * and progress events and channel tokens would cross too. The first start of a database claims
 * its prefix; a process of another database is refused and told to set its own REDIS_PREFIX.
 * Redis keeps nothing on disk here: after a Redis restart the next start claims the prefix again.
 * A Redis that does not answer within `timeoutMs` is not waited for: the start goes on (`unchecked`).
 */
export async function claimRedisPrefix(
  settings: RedisSettings,
  installation: string,
  timeoutMs = 2_000,
): Promise<'claimed' | 'ours' | 'unchecked'> {
  const redis = connectRedis(settings.url, `${settings.prefix}:prefix-owner`, () => {});
  try {
    if (!(await whenReady(redis, timeoutMs))) return 'unchecked';
    const key = prefixOwnerKey(settings.prefix);
    if ((await redis.set(key, installation, 'NX')) === 'OK') return 'claimed';
    const owner = await redis.get(key);
    if (owner === installation) return 'ours';
    throw new QunfaError(
      'CONFLICT',
      `REDIS_PREFIX "${settings.prefix}" on this Redis belongs to another Qunfa database (installation ${owner}; this database is ${installation}): give each database its own REDIS_PREFIX, or, if that database is gone for good (a local reset), delete the key ${key} with redis-cli`,
      { details: { field: 'REDIS_PREFIX', prefix: settings.prefix, owner, installation } },
    );
  } finally {
    await closeRedis(redis);
  }
}

/** At a start: claims the prefix for this database (closing it on a refusal), warns when Redis could not be asked. */
export async function claimPrefixForDatabase(
  settings: RedisSettings,
  database: Database,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const claim = await installationId(database.db, clock.now())
    .then((id) => claimRedisPrefix(settings, id))
    .catch(async (error: unknown) => {
      await database.close();
      throw error;
    });
  if (claim === 'unchecked') {
    logger.warn('Redis did not answer: this start could not check that REDIS_PREFIX is its own', {
      prefix: settings.prefix,
    });
  }
}
