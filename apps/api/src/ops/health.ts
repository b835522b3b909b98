import type { Logger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { type Db, rows } from '../db/database.js';

/** `ok` or `fail` decide readiness; `warn` (fleet-wide news) and `unknown` never do. */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'unknown';

export interface Check {
  status: CheckStatus;
  /** Why it failed or warns, as a short class (`timeout`, `ECONNREFUSED`, `stalled`…), never a connection string. */
  reason?: string;
  [detail: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, Check>;
}

export interface HealthOptions {
  db: Db;
  logger: Logger;
  /** Checked with a PING when set. */
  redisUrl?: string | undefined;
  /** This process's worker, when it runs one: its tick loop must have gone round within `staleMs`. */
  worker?: { lastTick(): Date | undefined; startedAt: Date } | undefined;
  /** A worker whose loop has not gone round for this long is stalled (and others' heartbeats stale), in ms. */
  staleMs: number;
  /** A due batch waiting longer than this makes the queue check warn, in seconds. */
  queueLagWarnSeconds: number;
  /** How long one dependency may take to answer, in ms. */
  timeoutMs: number;
  /** True once the process is stopping: it is no longer ready, whatever else says. */
  stopping(): boolean;
  now?: () => Date;
}

export interface Health {
  /** Readiness now; concurrent callers share one round of checks. */
  ready(): Promise<Readiness>;
  close(): Promise<void>;
}

class Timeout extends Error {}

/** `work`, or a rejection after `ms`. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A short class of the error: a timeout, a socket error code or a SQLSTATE; never its message. */
function reasonOf(error: unknown): string {
  if (error instanceof Timeout) return 'timeout';
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = e.cause;
  }
  return 'error';
}

/**
 * Errors of a pooled connection that was already dead when used (reset, broken pipe, closed
 * under us, or ended by the server's shutdown of its backend): the next attempt gets another.
 * ECONNREFUSED and timeouts are the database's own answer and are not among them.
 */
const DROPPED_CONNECTION = new Set([
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
]);
/** At most this many dead pooled connections are skipped in one check (the API pool has 10). */
const MAX_DROPPED_CONNECTIONS = 32;

/**
 * What `/readyz` reports. This process is ready when its database answers, its Redis answers
 * (when configured) and its own worker's loop goes round (when it runs one). Two more checks
 * describe the fleet and only ever warn: live workers by their heartbeats, and the age of the
 * oldest due batch. A fleet without workers is not mended by taking API processes out of the
 * load balancer, so those are for alerts (`qunfa_workers`, `qunfa_queue_lag_seconds`).
 */
export function createHealth(options: HealthOptions): Health {
  const now = options.now ?? (() => new Date());
  let redis: Redis | undefined;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, {
      connectionName: 'qunfa-health',
      // A check must answer now: no queueing while disconnected, no retries of a command.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    let reported = false;
    redis.on('error', (error: Error) => {
      if (!reported) options.logger.warn('readiness: Redis error', { error: error.message });
      reported = true;
    });
    redis.on('ready', () => {
      reported = false;
    });
  }

  const timed = async (work: () => Promise<Check>): Promise<Check> => {
    const started = performance.now();
    try {
      const check = await withTimeout(work(), options.timeoutMs);
      return { ...check, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { status: 'fail', reason: reasonOf(error), ms: Math.round(performance.now() - started) };
    }
  };

  const database = () =>
    timed(async () => {
      // A pooled connection a database restart dropped without our noticing (its host restarted,
      // no FIN reached us) fails once, with a reset, when next used, and the pool then drops it.
      // That says nothing of the database: ask again (on another connection, or a new one), as
      // long as what failed was such a connection. A refused or timed-out connection still fails.
      for (let attempt = 1; ; attempt++) {
        try {
          await rows(options.db, sql`SELECT 1`);
          return { status: 'ok', ...(attempt > 1 ? { droppedConnections: attempt - 1 } : {}) };
        } catch (error) {
          if (attempt >= MAX_DROPPED_CONNECTIONS || !DROPPED_CONNECTION.has(reasonOf(error))) throw error;
        }
      }
    });

  const redisCheck = () =>
    timed(async () => {
      // Disconnected, a PING fails at once with no code: say where the connection is instead.
      if (redis!.status !== 'ready') return { status: 'fail', reason: `redis_${redis!.status}` };
      await redis!.ping();
      return { status: 'ok' };
    });

  const worker = (): Check => {
    const w = options.worker!;
    const at = now().getTime();
    const last = w.lastTick();
    const since = last ?? w.startedAt;
    const ageSeconds = (at - since.getTime()) / 1000;
    if (at - since.getTime() <= options.staleMs) {
      return { status: 'ok', lastTickSecondsAgo: last ? ageSeconds : null };
    }
    return {
      status: 'fail',
      reason: last ? 'stalled' : 'not_started',
      lastTickSecondsAgo: last ? ageSeconds : null,
    };
  };

  const fleet = async (): Promise<{ workers: Check; queue: Check }> => {
    const at = now();
    const [found] = await withTimeout(
      rows<{ alive: number; stale: number; due: number; lag: number | string | null }>(
        options.db,
        sql`SELECT (SELECT count(*) FROM worker_heartbeats
                      WHERE beat_at > ${new Date(at.getTime() - options.staleMs).toISOString()}::timestamptz)::int AS alive,
                   (SELECT count(*) FROM worker_heartbeats
                      WHERE beat_at <= ${new Date(at.getTime() - options.staleMs).toISOString()}::timestamptz)::int AS stale,
                   count(*)::int AS due,
                   extract(epoch FROM ${at.toISOString()}::timestamptz - min(due_at))::float8 AS lag
            FROM batches WHERE state = 'queued' AND due_at <= ${at.toISOString()}::timestamptz`,
      ),
      options.timeoutMs,
    );
    const alive = Number(found?.alive ?? 0);
    const due = Number(found?.due ?? 0);
    const lagSeconds = Math.max(0, Number(found?.lag ?? 0));
    return {
      workers: {
        status: alive === 0 && due > 0 ? 'warn' : 'ok',
        ...(alive === 0 && due > 0 ? { reason: 'no_live_worker' } : {}),
        alive,
        stale: Number(found?.stale ?? 0),
      },
      queue: {
        status: lagSeconds > options.queueLagWarnSeconds ? 'warn' : 'ok',
        ...(lagSeconds > options.queueLagWarnSeconds ? { reason: 'lagging' } : {}),
        dueBatches: due,
        lagSeconds: Math.round(lagSeconds * 10) / 10,
      },
    };
  };

  const round = async (): Promise<Readiness> => {
    const [db, r] = await Promise.all([database(), redis ? redisCheck() : undefined]);
    const checks: Record<string, Check> = { database: db };
    if (r) checks.redis = r;
    if (options.worker) checks.worker = worker();
    if (db.status === 'ok') {
      try {
        Object.assign(checks, await fleet());
      } catch (error) {
        checks.workers = { status: 'unknown', reason: reasonOf(error) };
        checks.queue = { status: 'unknown', reason: reasonOf(error) };
      }
    } else {
      checks.workers = { status: 'unknown', reason: 'database' };
      checks.queue = { status: 'unknown', reason: 'database' };
    }
    if (options.stopping()) checks.process = { status: 'fail', reason: 'stopping' };
    const ready = Object.values(checks).every((c) => c.status !== 'fail');
    return { ready, checks };
  };

  let inFlight: Promise<Readiness> | undefined;
  return {
    ready() {
      inFlight ??= round().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    async close() {
      redis?.disconnect();
    },
  };
}
