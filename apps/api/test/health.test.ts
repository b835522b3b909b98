import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { load } from 'js-yaml';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { rows } from '../src/db/database.js';
import { createHealth } from '../src/ops/health.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import {
  type PrivatePostgres,
  type PrivateRedis,
  privatePostgresUnavailable,
  startPrivatePostgres,
  startPrivateRedis,
} from './support/private-services.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp, testPlugins } from './support/test-app.js';

const TOKEN = 'health-metrics-token-0123';

interface Body {
  status: string;
  checks: Record<string, { status: string; reason?: string; [k: string]: unknown }>;
}

async function readyz(url: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Body };
}

async function scrape(url: string) {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
}

async function until<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const unavailable = await privatePostgresUnavailable();

describe.skipIf(unavailable !== undefined)(
  `readiness follows its dependencies (private PostgreSQL and Redis on ports of their own)${unavailable ? `: skipped, ${unavailable}` : ''}`,
  () => {
    let pg: PrivatePostgres;
    let redis: PrivateRedis;
    let t: TestApp;

    beforeAll(async () => {
      [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
      const databaseUrl = await pg.createDatabase('qunfa_health');
      t = await startTestApp(
        'postgres',
        { redisUrl: redis.url, redisPrefix: 'qunfa-health', metricsToken: TOKEN },
        testPlugins(),
        {},
        databaseUrl,
      );
    }, 120_000);
    afterAll(async () => {
      await t?.stop();
      await Promise.all([pg?.close(), redis?.close()]);
    });

    it('is live and ready with every check passing, its own worker beating', async () => {
      const live = await fetch(`${t.url}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok' });
      const { status, body } = await until(
        () => readyz(t.url),
        (r) => r.status === 200 && (r.body.checks.workers?.alive as number) >= 1,
        'ready with a live worker',
      );
      expect(status).toBe(200);
      expect(body.status).toBe('ready');
      expect(body.checks.database?.status).toBe('ok');
      expect(body.checks.redis?.status).toBe('ok');
      expect(body.checks.worker?.status).toBe('ok');
      expect(body.checks.queue).toMatchObject({ status: 'ok', dueBatches: 0, lagSeconds: 0 });
      expect((await fetch(`${t.url}/readyz`, { method: 'POST' })).status).toBe(405);
    });

    it('goes not ready while PostgreSQL is stopped (liveness stays up, /metrics still answers), and ready again after', async () => {
      await pg.stop('fast');
      try {
        const down = await until(
          () => readyz(t.url),
          (r) => r.status === 503,
          'not ready',
        );
        expect(down.body.status).toBe('not_ready');
        expect(down.body.checks.database?.status).toBe('fail');
        expect(down.body.checks.database?.reason).toMatch(
          /^(ECONNREFUSED|timeout|57P01|CONNECTION_\w+|\w+)$/,
        );
        // The reason is a class, never the connection string.
        expect(JSON.stringify(down.body)).not.toContain(String(pg.port));
        expect(down.body.checks.redis?.status).toBe('ok');
        expect(down.body.checks.queue?.status).toBe('unknown');
        expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
        const families = await scrape(t.url);
        const up = families.get('qunfa_up')!.metrics;
        expect(up.find((m) => m.labels?.check === 'database')?.value).toBe('0');
        expect(up.find((m) => m.labels?.check === 'redis')?.value).toBe('1');
        // Series read from the database are left out rather than failing the scrape.
        expect(families.get('qunfa_queue_batches')?.metrics ?? []).toEqual([]);
      } finally {
        await pg.start();
      }
      const back = await until(
        () => readyz(t.url),
        (r) => r.status === 200,
        'ready after PostgreSQL came back',
      );
      expect(back.body.checks.database?.status).toBe('ok');
    }, 120_000);

    it('goes not ready while Redis is down, and ready again after', async () => {
      await redis.stop();
      try {
        const down = await until(
          () => readyz(t.url),
          (r) => r.status === 503,
          'not ready',
        );
        expect(down.body.checks.redis).toMatchObject({
          status: 'fail',
          reason: expect.stringMatching(/^redis_(connecting|reconnecting|close|end)$|^ECONNREFUSED$/),
        });
      } finally {
        await redis.start();
      }
      await until(
        () => readyz(t.url),
        (r) => r.status === 200,
        'ready after Redis came back',
      );
    }, 120_000);
  },
);

describe('workers and the queue, seen from an API process without a worker (PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: App | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    t = await startTestApp(
      'postgres',
      { worker: 'off', metricsToken: TOKEN, workerStaleMs: 3_000, queueLagWarnSeconds: 1 },
      testPlugins(),
      {},
      db.url,
    );
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.stop();
    await db?.drop();
  });

  it('due batches and no live worker: warns (still ready), lag grows; a worker process comes: it answers its own probes, drains the queue; its clean stop removes its heartbeat', async () => {
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'health',
      count: 20,
      identity: (i) => ({ kind: 'PHONE', value: `+86137${String(i).padStart(8, '0')}` }),
    });
    // A worker that died without a clean stop, long ago.
    await rows(
      t.app.deps.db,
      sql`INSERT INTO worker_heartbeats (worker_id, host, pid, started_at, beat_at)
          VALUES ('worker-gone', 'elsewhere', 1, now() - interval '2 hours', now() - interval '1 hour')`,
    );
    const campaignId = await createAndStartCampaign(t, {
      name: 'health',
      audience: { tag },
      variants: [{ key: 'A', content: { text: 'hello' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    const waiting = await until(
      () => readyz(t.url),
      (r) => (r.body.checks.queue?.lagSeconds as number) > 1,
      'a lagging queue',
    );
    expect(waiting.status).toBe(200);
    expect(waiting.body.checks.worker).toBeUndefined();
    expect(waiting.body.checks.workers).toMatchObject({
      status: 'warn',
      reason: 'no_live_worker',
      alive: 0,
      stale: 1,
    });
    expect(waiting.body.checks.queue).toMatchObject({ status: 'warn', reason: 'lagging' });
    expect(waiting.body.checks.queue?.dueBatches).toBeGreaterThan(0);
    const families = await scrape(t.url);
    expect(families.get('qunfa_workers')!.metrics.map((m) => [m.labels?.state, m.value])).toEqual([
      ['alive', '0'],
      ['stale', '1'],
    ]);
    expect(Number(families.get('qunfa_queue_lag_seconds')!.metrics[0]!.value)).toBeGreaterThan(1);

    worker = await buildApp(
      { ...t.app.config, worker: 'inline', healthPort: 0, metricsToken: undefined },
      { plugins: testPlugins(), http: false, logger: silentLogger },
    );
    const workerUrl = await worker.start();
    expect(workerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const own = await until(
      () => readyz(workerUrl),
      (r) => r.status === 200 && r.body.checks.worker?.status === 'ok',
      "the worker's own readiness",
    );
    expect(own.body.checks.database?.status).toBe('ok');
    expect((await fetch(`${workerUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${workerUrl}/graphql`)).status).toBe(404);

    await waitForCompletion(t, campaignId);
    const drained = await until(
      () => readyz(t.url),
      (r) => r.body.checks.workers?.alive === 1 && r.body.checks.queue?.status === 'ok',
      'a live worker and an empty queue',
    );
    expect(drained.body.checks.workers).toMatchObject({ status: 'ok', alive: 1, stale: 1 });
    expect(drained.body.checks.queue).toMatchObject({ dueBatches: 0, lagSeconds: 0 });

    await worker.stop();
    worker = undefined;
    const [left] = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM worker_heartbeats WHERE worker_id <> 'worker-gone'`,
    );
    expect(left!.n).toBe(0);
  }, 180_000);

  it('a worker loop silent past the stale time fails the worker check; one that beats passes', async () => {
    let last: Date | undefined = new Date(Date.now() - 10_000);
    const health = createHealth({
      db: t.app.deps.db,
      logger: silentLogger,
      worker: { lastTick: () => last, startedAt: new Date(Date.now() - 20_000) },
      staleMs: 5_000,
      queueLagWarnSeconds: 300,
      timeoutMs: 2_000,
      stopping: () => false,
    });
    try {
      const stalled = await health.ready();
      expect(stalled.ready).toBe(false);
      expect(stalled.checks.worker).toMatchObject({ status: 'fail', reason: 'stalled' });
      last = new Date();
      expect((await health.ready()).ready).toBe(true);
      last = undefined;
      expect((await health.ready()).checks.worker).toMatchObject({ status: 'fail', reason: 'not_started' });
    } finally {
      await health.close();
    }
  });
});

describe('alert rules (apps/api/prometheus/alerts.yml)', () => {
  interface Rule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: string };
    annotations: { summary: string; description?: string };
  }
  const file = load(readFileSync(new URL('../prometheus/alerts.yml', import.meta.url), 'utf8')) as {
    groups: { name: string; rules: Rule[] }[];
  };
  const rules = file.groups.flatMap((g) => g.rules);

  /** The metric names an expression selects, with the label names it matches on. */
  function selectors(expr: string): { metric: string; labels: string[] }[] {
    const found: { metric: string; labels: string[] }[] = [];
    const tree = parser.parse(expr);
    const errors: string[] = [];
    tree.iterate({
      enter(node) {
        if (node.type.isError) errors.push(`${node.from}: ${expr.slice(node.from, node.from + 20)}`);
        if (node.name !== 'VectorSelector') return;
        const text = expr.slice(node.from, node.to);
        const metric = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text)?.[0] ?? '';
        const labels = [...text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]!);
        found.push({ metric, labels });
      },
    });
    expect(errors, `PromQL errors in ${expr}`).toEqual([]);
    return found;
  }

  it('each rule is complete, uniquely named, with a severity, and parses as PromQL', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Qunfa[A-Z]\w+$/);
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      expect(selectors(r.expr).length).toBeGreaterThan(0);
    }
    // The parser does find mistakes: a rule with one is refused.
    let broken = false;
    parser.parse('sum by (channel (rate(qunfa_deliveries_total[5m]))').iterate({
      enter(n) {
        if (n.type.isError) broken = true;
      },
    });
    expect(broken).toBe(true);
  });

  describe('against a live scrape (PGlite)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('pglite', { metricsToken: TOKEN });
      const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
        tagName: 'rules',
        count: 10,
        identity: (i) => ({ kind: 'PHONE', value: `+86136${String(i).padStart(8, '0')}` }),
      });
      const id = await createAndStartCampaign(t, {
        name: 'rules',
        audience: { tag },
        variants: [{ key: 'A', content: { text: 'hello' } }],
        channelPlan: [{ channel: 'channel:sandbox' }],
      });
      await waitForCompletion(t, id);
    }, 120_000);
    afterAll(async () => {
      await t?.stop();
    });

    it('every metric a rule selects is exported, and every label it matches on is one of that metric’s', async () => {
      const families = await scrape(t.url);
      const exported = new Map<string, Set<string> | undefined>();
      for (const [name, f] of families) {
        const labels = new Set(f.metrics.flatMap((m) => Object.keys(m.labels ?? {})));
        const known = f.metrics.length > 0 ? labels : undefined;
        exported.set(name, known);
        if (f.type === 'HISTOGRAM') {
          exported.set(`${name}_bucket`, known && new Set([...known, 'le']));
          exported.set(`${name}_count`, known);
          exported.set(`${name}_sum`, known);
        }
      }
      const used = rules.flatMap((r) => selectors(r.expr).map((s) => ({ ...s, rule: r.alert })));
      for (const s of used) {
        if (s.metric === 'up') continue; // Prometheus's own, per target.
        expect(exported.has(s.metric), `${s.rule}: ${s.metric} is not exported`).toBe(true);
        const labels = exported.get(s.metric);
        if (labels === undefined) continue; // no sample yet (e.g. no callback error so far)
        for (const l of s.labels)
          expect(labels.has(l), `${s.rule}: ${s.metric} has no label ${l}`).toBe(true);
      }
      // The readiness gauges the availability rules read are all there.
      expect(
        families
          .get('qunfa_up')!
          .metrics.map((m) => m.labels?.check)
          .sort(),
      ).toEqual(['database', 'worker']);
    });
  });
});
