import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openDatabase, rows } from '@qunfa/api/database';
import { createApiKey } from '@qunfa/api/src/auth/api-keys.js';
import type { AudienceExpression } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { percentiles } from './measure.js';
import {
  type ApiProcess,
  cpuSeconds,
  dropRedisPrefix,
  graphql,
  loadAverage,
  memoryMb,
  runtimeMetrics,
  startApiProcess,
} from './src/api-process.js';
import { seedContacts } from './src/seed-contacts.js';

/**
 * `audiencePreview` over GraphQL against an API process of its own (`src/main.ts serve`), at
 * BENCH_CONTACTS contacts written set-based (default 1,000,000): the index build on the first
 * preview, previews with nothing else running, then previews while a campaign to every contact
 * sends on the same database and cores, then idle again — the floor before and after the
 * subject, p50 / p99 each, the load average beside them, the API process's CPU and memory.
 *
 * BENCH_WORKERS: `inline` (default: the API process sends too, as `serve` does out of the
 * box), or a number of `worker` processes beside an API whose worker is off. BENCH_SEND=0 skips
 * the campaign (the 10M-contact run: build, previews and RSS only). BENCH_WORKER_NICE (with worker
 * processes) has them lower their own CPU priority, as a deployment may (`WORKER_NICE=10 pnpm worker`).
 * BENCH_TAGS tags (default 200: a few popular, most sparse). Needs PostgreSQL (BENCH_DATABASE_URL) and Redis
 * (BENCH_REDIS_URL); creates and drops a database of its own.
 */
const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const TAG_COUNT = Number(process.env.BENCH_TAGS ?? 200);
const WORKERS = process.env.BENCH_WORKERS ?? 'inline';
const SEND = process.env.BENCH_SEND !== '0';
const WORKER_NICE = Number(process.env.BENCH_WORKER_NICE ?? 0);
const IDLE_RUNS = Number(process.env.BENCH_IDLE_RUNS ?? 200);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const pipelineConfig = fileURLToPath(new URL('../pipeline/bench.config.ts', import.meta.url));

const METRICS_TOKEN = randomBytes(16).toString('hex');
const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const ms = (x: number) => `${x.toFixed(1)} ms`;

const PREVIEW = `query($a: JSON!) { audiencePreview(audience: $a, sampleSize: 10) { matched sendable } }`;

interface Sample {
  at: number;
  ms: number;
}

async function main() {
  const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const processes: ApiProcess[] = [];
  const prefix = `qunfa-bench-${randomBytes(4).toString('hex')}`;
  const lines: string[] = [];
  const row = (label: string, value: string) => {
    lines.push(`| ${label} | ${value} |`);
    say(`${label}: ${value}`);
  };
  try {
    const database = await openDatabase({ url: databaseUrl, poolSize: 2 });
    say(`seeding ${N.toLocaleString('en-US')} contacts, ${TAG_COUNT} tags`);
    const t0 = performance.now();
    const { workspaceId, tags } = await seedContacts(database.db, {
      contacts: N,
      tags: TAG_COUNT,
      identities: SEND,
      say,
    });
    row('seed (set-based SQL)', `${((performance.now() - t0) / 1000).toFixed(1)} s (load ${loadAverage()})`);
    const [avg] = await rows<{ a: number }>(
      database.db,
      sql`SELECT avg(cardinality(tag_ids))::float8 AS a FROM contacts WHERE workspace_id = ${workspaceId}::bigint`,
    );
    row('tags per contact (average)', avg!.a.toFixed(2));
    const { key } = await createApiKey(database.db, { workspaceId, name: 'bench', role: 'admin' });
    await database.close();

    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      QUNFA_CONFIG: pipelineConfig,
      QUIET_HOURS: 'off',
      SEED_DEMO: 'false',
      KEY_RATE_LIMIT_PER_MINUTE: '1000000',
      METRICS_TOKEN,
      // No background warming: the first preview builds the index, so its time and CPU are the build's.
      AUDIENCE_WARM_MS: '0',
      WORKER: WORKERS === 'inline' ? 'inline' : 'off',
    };
    const api = await startApiProcess('serve', env);
    processes.push(api);
    if (WORKERS !== 'inline')
      for (let i = 0; i < Number(WORKERS); i++) {
        // BENCH_WORKER_NICE: the worker processes at a lower CPU priority than the API (e.g. 10), set
        // by the worker itself (WORKER_NICE: every thread; a setPriority from here niced only its main one).
        const worker = await startApiProcess('worker', { ...env, WORKER_NICE: String(WORKER_NICE) });
        processes.push(worker);
      }

    const e: AudienceExpression = {
      and: [
        { or: [{ tag: String(tags[1]) }, { tag: String(tags[40]) }] },
        { not: { tag: String(tags[5]) } },
        { tag: String(tags[2]) },
        { region: { province: '广东省' } },
        { activeWithinDays: 30 },
      ],
    };
    const preview = async () => {
      const start = performance.now();
      const r = await graphql<{ audiencePreview: { matched: number } }>(api.url, key, PREVIEW, { a: e });
      return { ms: performance.now() - start, matched: r.audiencePreview.matched };
    };
    const cpu0 = cpuSeconds(api.pid);
    const build = await preview();
    row(
      'index build (first preview after start, over GraphQL)',
      `${(build.ms / 1000).toFixed(1)} s, API CPU ${(cpuSeconds(api.pid) - cpu0).toFixed(1)} s (load ${loadAverage()})`,
    );
    const mem = memoryMb(api.pid);
    row(
      'API process RSS after the build (peak so far)',
      `${Math.round(mem.rss)} MB (${Math.round(mem.peak)} MB)`,
    );

    const phase = async (label: string, run: () => Promise<Sample[]>) => {
      const before = await runtimeMetrics(api.url, METRICS_TOKEN);
      const c = cpuSeconds(api.pid);
      const start = performance.now();
      const loadBefore = loadAverage();
      const samples = await run();
      const t = percentiles(samples.map((s) => s.ms));
      const wall = (performance.now() - start) / 1000;
      const cpu = cpuSeconds(api.pid) - c;
      const after = await runtimeMetrics(api.url, METRICS_TOKEN);
      row(
        `previews ${label}: p50 / p99 / max`,
        `${ms(t.p50)} / ${ms(t.p99)} / ${ms(Math.max(...samples.map((s) => s.ms)))} (${t.runs} runs in ${wall.toFixed(0)} s; load ${loadBefore} → ${loadAverage()})`,
      );
      row(
        `· API process in that phase: CPU, event-loop delay p99 / max, GC`,
        `${cpu.toFixed(1)} s (${((100 * cpu) / wall).toFixed(0)}% of a core), ${ms(after.lagP99Ms)} / ${ms(after.lagMaxMs)}, GC ${(after.gcSeconds - before.gcSeconds).toFixed(2)} s in ${after.gcCount - before.gcCount} pauses`,
      );
      return samples;
    };
    const idle = () =>
      phase('idle', async () => {
        const out: Sample[] = [];
        for (let i = 0; i < IDLE_RUNS; i++) out.push({ at: performance.now(), ms: (await preview()).ms });
        return out;
      });

    await idle();
    if (SEND) {
      const { createCampaign } = await graphql<{ createCampaign: { id: string } }>(
        api.url,
        key,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'bench under load',
            audience: { all: true },
            variants: [{ key: 'A', content: { text: '会员日快乐' } }],
            channelPlan: [{ channel: 'channel:instant' }],
          },
        },
      );
      const id = createCampaign.id;
      let planned = 0;
      let done = 0;
      const t1 = performance.now();
      const started = graphql(api.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
        id,
      }).then(() => {
        planned = performance.now();
      });
      const samples = await phase(
        `while a campaign to all ${N.toLocaleString('en-US')} sends (${WORKERS === 'inline' ? 'inline worker in the API process' : `${WORKERS} worker process(es)${WORKER_NICE ? `, nice ${WORKER_NICE}` : ''}`})`,
        async () => {
          const out: Sample[] = [];
          const poll = (async () => {
            await started;
            for (;;) {
              const { campaign } = await graphql<{ campaign: { state: string } }>(
                api.url,
                key,
                'query($id: ID!) { campaign(id: $id) { state } }',
                { id },
              );
              if (campaign.state === 'COMPLETED') {
                done = performance.now();
                return;
              }
              await new Promise((resolve) => setTimeout(resolve, 1000));
            }
          })();
          while (done === 0) {
            out.push({ at: performance.now(), ms: (await preview()).ms });
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await poll;
          return out;
        },
      );
      row(
        'campaign: start (planning) / to completed',
        `${((planned - t1) / 1000).toFixed(1)} s / ${((done - t1) / 1000).toFixed(1)} s`,
      );
      const planning = samples.filter((s) => s.at < planned).map((s) => s.ms);
      const sending = samples.filter((s) => s.at >= planned).map((s) => s.ms);
      for (const [label, xs] of [
        ['during the start (planning)', planning],
        ['while sending', sending],
      ] as const)
        if (xs.length > 0) {
          const t = percentiles(xs);
          row(`· previews ${label}: p50 / p99`, `${ms(t.p50)} / ${ms(t.p99)} (${t.runs} runs)`);
        }
      await idle();
    }
    const end = memoryMb(api.pid);
    row('API process RSS at the end (peak)', `${Math.round(end.rss)} MB (${Math.round(end.peak)} MB)`);
    row('previewed count (6-term)', build.matched.toLocaleString('en-US'));
  } finally {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
    await dropRedisPrefix(REDIS_URL, prefix);
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  process.stdout.write(
    [
      `## audiencePreview over GraphQL, ${N.toLocaleString('en-US')} contacts, ${TAG_COUNT} tags (${process.version})`,
      '',
      '| Measure | Value |',
      '|---|---|',
      ...lines,
      '',
    ].join('\n'),
  );
}

await main();
