import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { closeRedis, connectRedis } from '@qunfa/api/src/adapters/redis-connection.js';
import { buildApp } from '@qunfa/api/src/app.js';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type CampaignRun, runCampaign } from './campaign.js';
import { cpuMeter } from './cpu.js';
import { memoryOf } from './rss.js';
import { readServerStats, type Segment, type ServerStats } from './server-stats.js';
import { startWorker } from './workers.js';

const configModule = fileURLToPath(new URL('../bench.config.ts', import.meta.url));

export interface MeasuredRun extends CampaignRun {
  /** Highest peak RSS among the worker processes when 100,000 and 1,000,000 recipients had settled, and at the end, in MB. */
  peakMbAt100k: number;
  peakMbAt1m?: number;
  peakMbAtEnd: number;
  /** CPU seconds of the run: the database's backends, the worker processes, and this process (planning, polling). */
  cpu?: { backends: number; workers: number; api: number };
  /** The run cut at every million recipients settled (every tenth of a smaller run): time, CPU and server statistics. */
  segments?: Segment[];
}

/**
 * One campaign on PostgreSQL + Redis: this process plans it (as the API would), `workers`
 * worker processes send it. Delivery rows are cleared afterwards so runs start alike.
 */
export async function runOnPostgres(input: {
  databaseUrl: string;
  redisUrl: string;
  workspaceId: number;
  workers: number;
  recipients: number;
}): Promise<MeasuredRun> {
  const prefix = `qunfa-bench-${randomBytes(4).toString('hex')}`;
  const env = {
    DATABASE_URL: input.databaseUrl,
    REDIS_URL: input.redisUrl,
    REDIS_PREFIX: prefix,
    QUNFA_CONFIG: configModule,
    QUIET_HOURS: 'off',
  };
  const workers = await Promise.all(Array.from({ length: input.workers }, () => startWorker(env)));
  const app = await buildApp(
    {
      databaseUrl: input.databaseUrl,
      redisUrl: input.redisUrl,
      redisPrefix: prefix,
      dataDir: 'memory://',
      port: 0,
      host: '127.0.0.1',
      worker: 'off',
      workerConcurrency: 4,
      seedDemo: false,
      logLevel: 'silent',
      tickIntervalMs: 250,
      // The config as an operator's deployment loads it: the built-in rules and metrics plus its channel.
      pluginConfig: configModule,
      quietHours: 'off',
    },
    { logger: silentLogger, http: false },
  );
  await app.start();
  const peak = () => Math.max(...workers.map((w) => memoryOf(w.pid)?.peakMb ?? 0));
  let peakMbAt100k = 0;
  let peakMbAt1m = 0;
  try {
    const meter = await cpuMeter(app.deps.db, () => workers.map((w) => w.pid));
    const step = input.recipients >= 2_000_000 ? 1_000_000 : Math.max(1, Math.ceil(input.recipients / 10));
    const readings: Promise<Reading>[] = [reading(0)];
    function reading(settled: number): Promise<Reading> {
      return Promise.all([meter.read(), readServerStats(app.deps.db)]).then(([cpu, stats]) => ({
        settled,
        cpu,
        stats,
      }));
    }
    const run = await runCampaign(app, input.workspaceId, (settled) => {
      if (peakMbAt100k === 0 && settled >= 100_000) peakMbAt100k = peak();
      if (peakMbAt1m === 0 && settled >= 1_000_000) peakMbAt1m = peak();
      if (settled >= readings.length * step && settled < input.recipients) readings.push(reading(settled));
    });
    const used = await meter.read();
    readings.push(reading(run.sent + run.failed));
    const taken = await Promise.all(readings);
    const segments = taken.slice(1).map((after, i): Segment => {
      const before = taken[i]!;
      return {
        fromRecipients: before.settled,
        toRecipients: after.settled,
        seconds: (after.stats.at - before.stats.at) / 1000,
        backendCpuSeconds: after.cpu.backends - before.cpu.backends,
        workerCpuSeconds: after.cpu.children - before.cpu.children,
        stats: { before: before.stats, after: after.stats },
      };
    });
    return {
      segments,
      ...run,
      peakMbAt100k,
      ...(peakMbAt1m > 0 ? { peakMbAt1m } : {}),
      peakMbAtEnd: peak(),
      cpu: { backends: used.backends, workers: used.children, api: used.self },
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await app.deps.db.execute(sql`TRUNCATE deliveries, delivery_attempts, batches, audit_log`);
    await app.stop();
    await dropRedisPrefix(input.redisUrl, prefix);
  }
}

interface Reading {
  settled: number;
  cpu: { backends: number; children: number; self: number };
  stats: ServerStats;
}

/**
 * Removes the run's keys (queue, limiter, plugin state, the prefix's owner claim): each run has a
 * prefix of its own, so nothing else lives under it, and without this every run left its keys behind.
 */
async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = connectRedis(redisUrl, 'bench-cleanup');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await closeRedis(redis);
  }
}
