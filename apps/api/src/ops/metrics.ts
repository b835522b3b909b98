import type { BatchSettledEvent } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { audienceIndexesFor } from '../audience/audience-indexes.js';
import { type Db, rows } from '../db/database.js';
import { type Health, withTimeout } from './health.js';

/** The Prometheus metrics of one process, in a registry of its own (never prom-client's global one). */
export interface AppMetrics {
  registry: Registry;
  /** Counts a settled batch's outcomes and observes its latency. */
  batchSettled(event: BatchSettledEvent): void;
  /** A provider callback that was refused (401/403/400) or failed (500). */
  callbackError(channel: string, status: number): void;
  /** GraphQL subscriptions opened (+1) or ended (−1). */
  subscriptions(delta: number): void;
}

/**
 * Runs a scrape-time read; a database that is away (or slower than 2 s) leaves its series out
 * instead of failing or stalling the whole scrape.
 */
async function orNothing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await withTimeout(read(), 2_000);
  } catch {
    return undefined;
  }
}

/**
 * Deliveries by channel, outcome and failure class (the send rate is the rate of `sent`),
 * batch latency, callback errors, open subscriptions, and — read at scrape time from the
 * database — batches waiting by state and triage items open and overdue; from the readiness
 * checks, each dependency up or down, live and stale workers and the queue's lag. Node's own
 * (event-loop lag, heap, GC) come from `collectDefaultMetrics`. docs/operations.md has alert
 * rules over them.
 */
export function createAppMetrics(db: Db, health: Health, now: () => Date = () => new Date()): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'qunfa_' });
  const deliveries = new Counter({
    name: 'qunfa_deliveries_total',
    help: 'Deliveries settled by a worker, by channel, resulting state and failure class',
    labelNames: ['channel', 'state', 'failure_class'] as const,
    registers: [registry],
  });
  const providerCalls = new Counter({
    name: 'qunfa_provider_sends_total',
    help: 'Messages handed to a provider (attempts), by channel and outcome',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'qunfa_batch_duration_seconds',
    help: 'Claim to settle of one batch, by channel',
    labelNames: ['channel'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const callbackErrors = new Counter({
    name: 'qunfa_callback_errors_total',
    help: 'Provider callbacks refused or failed, by channel and HTTP status',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
  });
  const subscriptions = new Gauge({
    name: 'qunfa_graphql_subscriptions',
    help: 'GraphQL subscriptions open on this process',
    registers: [registry],
  });
  new Gauge({
    name: 'qunfa_queue_batches',
    help: 'Batches not yet settled, by state: due (queued, due now), waiting (queued, due later), leased',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const found = await orNothing(() =>
        rows<{ state: string; n: number | string }>(
          db,
          sql`SELECT CASE WHEN state = 'queued' AND due_at <= ${now().toISOString()}::timestamptz THEN 'due'
                        WHEN state = 'queued' THEN 'waiting' ELSE 'leased' END AS state,
                   count(*)::int AS n
            FROM batches WHERE state IN ('queued', 'leased') GROUP BY 1`,
        ),
      );
      if (!found) return;
      for (const state of ['due', 'waiting', 'leased']) {
        this.set({ state }, Number(found.find((f) => f.state === state)?.n ?? 0));
      }
    },
  });
  new Gauge({
    name: 'qunfa_triage_items',
    help: 'Triage items not answered yet (new or assigned), all and overdue',
    labelNames: ['which'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const [found] =
        (await orNothing(() =>
          rows<{ open: number | string; overdue: number | string }>(
            db,
            sql`SELECT count(*)::int AS open,
                   (count(*) FILTER (WHERE due_at IS NOT NULL AND due_at <= ${now().toISOString()}::timestamptz))::int AS overdue
            FROM triage_items WHERE status IN ('new', 'assigned')`,
          ),
        )) ?? [];
      if (!found) return;
      this.set({ which: 'open' }, Number(found?.open ?? 0));
      this.set({ which: 'overdue' }, Number(found?.overdue ?? 0));
    },
  });
  new Gauge({
    name: 'qunfa_audience_index_bytes',
    help: "Memory held by this process's audience indexes (estimated), and its budget (AUDIENCE_INDEX_MAX_MB)",
    labelNames: ['which'] as const,
    registers: [registry],
    collect() {
      const stats = audienceIndexesFor(db).stats();
      this.set({ which: 'held' }, stats.bytes);
      if (Number.isFinite(stats.maxBytes)) this.set({ which: 'budget' }, stats.maxBytes);
    },
  });
  new Counter({
    name: 'qunfa_audience_index_evictions_total',
    help: 'Workspace audience indexes dropped to stay under the memory budget (rebuilt on their next preview)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(audienceIndexesFor(db).stats().evictions);
    },
  });
  new Gauge({
    name: 'qunfa_audience_indexes',
    help: 'Workspaces whose audience index this process holds in memory',
    registers: [registry],
    collect() {
      this.set(audienceIndexesFor(db).stats().workspaces);
    },
  });
  // The three gauges below are collected at once: they share one round of checks.
  const ready = () => health.ready();
  new Gauge({
    name: 'qunfa_up',
    help: "This process's readiness checks: 1 passing, 0 failing (database; redis when configured; worker when it runs one)",
    labelNames: ['check'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { checks } = await ready();
      for (const [check, c] of Object.entries(checks)) {
        // The fleet-wide checks have gauges of their own below.
        if (check === 'workers' || check === 'queue') continue;
        if (c.status === 'ok' || c.status === 'fail') this.set({ check }, c.status === 'ok' ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'qunfa_workers',
    help: 'Worker processes by heartbeat: alive (beat within the stale time) and stale (silent, not stopped cleanly)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { workers } = (await ready()).checks;
      if (typeof workers?.alive !== 'number' || typeof workers.stale !== 'number') return;
      this.set({ state: 'alive' }, workers.alive);
      this.set({ state: 'stale' }, workers.stale);
    },
  });
  new Gauge({
    name: 'qunfa_queue_lag_seconds',
    help: 'How long the oldest due batch has waited for a worker (0: none waiting)',
    registers: [registry],
    async collect() {
      this.reset();
      const { queue } = (await ready()).checks;
      if (typeof queue?.lagSeconds === 'number') this.set(queue.lagSeconds);
    },
  });

  return {
    registry,
    batchSettled(event) {
      // Counted first, then one increment per series: a labelled increment hashes its labels,
      // and a batch is up to 1,000 results of a handful of series.
      const byOutcome = new Map<string, { state: string; failureClass: string; n: number }>();
      const byStatus = new Map<string, number>();
      for (const r of event.results) {
        const failureClass = r.failureClass ?? '';
        const key = `${r.state}\u0000${failureClass}`;
        const seen = byOutcome.get(key);
        if (seen) seen.n++;
        else byOutcome.set(key, { state: r.state, failureClass, n: 1 });
        if (r.attempt) byStatus.set(r.attempt.status, (byStatus.get(r.attempt.status) ?? 0) + 1);
      }
      for (const o of byOutcome.values()) {
        deliveries.inc({ channel: event.channel, state: o.state, failure_class: o.failureClass }, o.n);
      }
      for (const [status, n] of byStatus) providerCalls.inc({ channel: event.channel, status }, n);
      batchSeconds.observe({ channel: event.channel }, event.durationMs / 1000);
    },
    callbackError(channel, status) {
      callbackErrors.inc({ channel, status: String(status) });
    },
    subscriptions(delta) {
      subscriptions.inc(delta);
    },
  };
}
