import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { openDatabase, rows } from '@qunfa/api/database';
import { createApiKey } from '@qunfa/api/src/auth/api-keys.js';
import type { AudienceExpression } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { percentiles } from './measure.js';
import { cpuSeconds, dropRedisPrefix, graphql, loadAverage, startApiProcess } from './src/api-process.js';
import { seedContacts } from './src/seed-contacts.js';

/**
 * Two API packages (BENCH_BASELINE_API, e.g. a worktree of main's `apps/api`, and this tree's)
 * on one database of BENCH_CONTACTS contacts (default 1,000,000, 200 tags, as under-load.ts
 * seeds them), in pairs, the order alternating pair by pair: each API process builds the index,
 * warms up, then answers BENCH_RUNS requests of each kind back to back — `{ __typename }` (any
 * request's cost), under-load.ts's 6-term preview without a sample, and the console's preview
 * document (a sample of 3). Prints p50 / p99 and the API process's CPU per request (from
 * `/proc`), the load average beside each. Nothing else runs: the figures are the code's, as
 * far as a shared machine allows. The API runs with its worker off (`WORKER=off`).
 *
 * BENCH_DATABASE=<name> reuses a database seeded by an earlier run (kept with BENCH_KEEP_DB=1)
 * instead of seeding a new one.
 */
const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const TAG_COUNT = Number(process.env.BENCH_TAGS ?? 200);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const BASELINE = process.env.BENCH_BASELINE_API;
const REUSE = process.env.BENCH_DATABASE;
const KEEP = process.env.BENCH_KEEP_DB === '1';
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const TYPENAME = '{ __typename }';
const PREVIEW = `query($a: JSON!) { audiencePreview(audience: $a, sampleSize: 10) { matched sendable } }`;
/** The console's document (apps/console composer-documents.ts). */
const CONSOLE = `query AudiencePreview($a: JSON!, $excludeDormant: Boolean) {
  audiencePreview(audience: $a, excludeDormant: $excludeDormant, sampleSize: 3) {
    matched sendable suppressedTotal suppressed { reason count } asOf
    sample { id name province city attributes } targets groupSample { id name owner memberCount }
  }
}`;

async function main() {
  if (!BASELINE) throw new Error('BENCH_BASELINE_API: the API package to compare with (a directory)');
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const name = REUSE ?? `qunfa_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const prefix = `qunfa-bench-${randomBytes(4).toString('hex')}`;
  const out: string[] = [];
  try {
    if (!REUSE) await admin.unsafe(`CREATE DATABASE ${name}`);
    const database = await openDatabase({ url: databaseUrl, poolSize: 2 });
    let workspaceId: number;
    let tags: number[];
    if (REUSE) {
      const [ws] = await rows<{ id: string }>(
        database.db,
        sql`SELECT id FROM workspaces WHERE name = 'bench' ORDER BY id LIMIT 1`,
      );
      workspaceId = Number(ws!.id);
      tags = (
        await rows<{ id: string }>(
          database.db,
          sql`SELECT id FROM tags WHERE workspace_id = ${workspaceId}::bigint ORDER BY id`,
        )
      ).map((t) => Number(t.id));
    } else {
      say(`seeding ${N.toLocaleString('en-US')} contacts into ${name}`);
      ({ workspaceId, tags } = await seedContacts(database.db, {
        contacts: N,
        tags: TAG_COUNT,
        identities: false,
        say,
      }));
    }
    const { key } = await createApiKey(database.db, { workspaceId, name: 'bench', role: 'admin' });
    await database.close();
    const e: AudienceExpression = {
      and: [
        { or: [{ tag: String(tags[1]) }, { tag: String(tags[40]) }] },
        { not: { tag: String(tags[5]) } },
        { tag: String(tags[2]) },
        { region: { province: '广东省' } },
        { activeWithinDays: 30 },
      ],
    };
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      QUIET_HOURS: 'off',
      SEED_DEMO: 'false',
      KEY_RATE_LIMIT_PER_MINUTE: '1000000',
      AUDIENCE_WARM_MS: '0',
      WORKER: 'off',
    };
    const trees = [
      { label: 'old', dir: resolve(BASELINE) },
      { label: 'new', dir: undefined },
    ];
    out.push(
      `| pair | code | build | \`{ __typename }\` CPU | preview p50 / p99 | CPU/preview | console's (sample of 3) p50 / p99 | CPU | load |`,
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (let pair = 1; pair <= PAIRS; pair++) {
      const order = pair % 2 === 1 ? trees : [...trees].reverse();
      for (const tree of order) {
        const api = await startApiProcess('serve', env, tree.dir);
        try {
          const load = loadAverage().split(' ')[0];
          const c0 = cpuSeconds(api.pid);
          const t0 = performance.now();
          await graphql(api.url, key, PREVIEW, { a: e });
          const build = `${((performance.now() - t0) / 1000).toFixed(1)} s (CPU ${(cpuSeconds(api.pid) - c0).toFixed(1)} s)`;
          const measure = async (query: string, variables: unknown) => {
            for (let i = 0; i < 50; i++) await graphql(api.url, key, query, variables);
            const c = cpuSeconds(api.pid);
            const times: number[] = [];
            for (let i = 0; i < RUNS; i++) {
              const s = performance.now();
              await graphql(api.url, key, query, variables);
              times.push(performance.now() - s);
            }
            return { t: percentiles(times), cpuMs: ((cpuSeconds(api.pid) - c) * 1000) / RUNS };
          };
          const bare = await measure(TYPENAME, {});
          const preview = await measure(PREVIEW, { a: e });
          const doc = await measure(CONSOLE, { a: e, excludeDormant: false });
          const f = (x: number) => x.toFixed(1);
          const line = `| ${pair} | ${tree.label} | ${build} | ${f(bare.cpuMs)} ms | ${f(preview.t.p50)} / ${f(preview.t.p99)} ms | ${f(preview.cpuMs)} ms | ${f(doc.t.p50)} / ${f(doc.t.p99)} ms | ${f(doc.cpuMs)} ms | ${load} → ${loadAverage().split(' ')[0]} |`;
          out.push(line);
          say(line);
        } finally {
          await api.stop();
        }
      }
    }
  } finally {
    await dropRedisPrefix(REDIS_URL, prefix);
    if (!KEEP && !REUSE) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else say(`kept database ${name}`);
    await admin.end();
  }
  process.stdout.write(
    [
      `## audiencePreview, two API packages alternately, ${N.toLocaleString('en-US')} contacts, ${RUNS} requests each (${process.version})`,
      '',
      ...out,
      '',
    ].join('\n'),
  );
}

await main();
