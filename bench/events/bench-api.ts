/*
 * The API under measurement, as a user runs it (default plugins; channel:sms-aliyun loaded from
 * ALIYUN_SMS_*, pointed at the fake Aliyun server), in this process, on a throwaway database and a
 * Redis key prefix of its own, both removed by `close`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeRedis, connectRedis } from '@qunfa/api/src/adapters/redis-connection.js';
import { buildApp } from '@qunfa/api/src/app.js';
import { startFakeAliyun } from '@qunfa/channels/sms-aliyun/fake-server';
import { silentLogger } from '@qunfa/core';
import postgres from 'postgres';

/** The token of the Aliyun callbacks (`?token=`). */
export const CALLBACK_TOKEN = 'bench-callback-token-0123456789';
export const SIGN_NAME = '群发科技';

export async function startBenchApi(options: { adminUrl: string; redisUrl: string }) {
  const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  // BENCH_PG_SET=name=value,…: settings of this database's sessions (log_statement_stats=on for
  // pg-statement-stats.mjs); BENCH_KEEP_DB=1 keeps the database at the end, to look at its plans.
  const settings = (process.env.BENCH_PG_SET ?? '').split(',').filter(Boolean);
  for (const setting of settings) {
    const [key, value] = setting.split('=');
    if (!key || value === undefined || !/^[a-z_.]+$/.test(key))
      throw new Error(`BENCH_PG_SET: not name=value: ${setting}`);
    await admin.unsafe(`ALTER DATABASE ${name} SET ${key} = '${value.replaceAll("'", "''")}'`);
  }
  if (settings.length > 0 || process.env.BENCH_KEEP_DB) console.log(`database ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  // A key prefix of its own: batch job ids restart at 1 in every database, and a job id already
  // queued under a shared prefix (another run's, even a dead one's) would silently swallow ours.
  const redisPrefix = name;
  const dataDir = mkdtempSync(join(tmpdir(), 'qunfa-bench-events-'));
  const aliyun = await startFakeAliyun({
    signNames: [SIGN_NAME],
    templates: { SMS_1: ['code', 'url'] },
    callbackToken: CALLBACK_TOKEN,
    perNumberDailyLimit: 1_000,
  });
  Object.assign(process.env, {
    ALIYUN_SMS_ACCESS_KEY_ID: 'LTAIfakeAccessKeyId',
    ALIYUN_SMS_ACCESS_KEY_SECRET: 'fakeAccessKeySecret',
    ALIYUN_SMS_SIGN_NAME: SIGN_NAME,
    ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
    ALIYUN_SMS_PROTOCOL: 'http',
    ALIYUN_SMS_CALLBACK_TOKEN: CALLBACK_TOKEN,
  });
  const app = await buildApp(
    {
      databaseUrl: url.toString(),
      redisUrl: options.redisUrl,
      redisPrefix,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      publicUrl: 'https://qunfa.example',
      worker: 'inline',
      workerConcurrency: 4,
      seedDemo: false,
      logLevel: 'silent',
      // BENCH_TICK_MS: the worker's tick; a longer one lowers the idle spend inside every leg's figures.
      tickIntervalMs: Number(process.env.BENCH_TICK_MS ?? 250),
      // Receipts come by push only, so that each is counted where the bench sent it.
      receiptPollIntervalMs: 3_600_000,
      keyRateLimitPerMinute: 10_000_000,
    },
    { logger: silentLogger },
  );

  /** PostgreSQL backends serving the throwaway database (their CPU time is the API's database cost). */
  const backends = async () =>
    (
      await admin.unsafe<{ pid: number }[]>(
        `SELECT pid FROM pg_stat_activity WHERE datname = '${name}' AND backend_type = 'client backend'`,
      )
    ).map((r) => r.pid);

  return {
    app,
    aliyun,
    backends,
    /** Stops the API and the fake, removes the Redis keys, the data folder and the database. */
    async close() {
      await app.stop();
      await aliyun.close();
      const redis = connectRedis(options.redisUrl, 'bench-cleanup');
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await closeRedis(redis);
      rmSync(dataDir, { recursive: true, force: true });
      if (!process.env.BENCH_KEEP_DB) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
export type BenchApi = Awaited<ReturnType<typeof startBenchApi>>;
