import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { type Database, openDatabase, rows } from '@qunfa/api/database';
import { audienceIndexesFor } from '@qunfa/api/src/audience/audience-indexes.js';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { TAGS, tagName, writeContactsCsv } from './generate.js';
import {
  afterTagChange,
  expressions,
  importFile,
  joinSql,
  plannerSql,
  previews,
  rawCopyPglite,
  rawCopyPostgres,
  sqlCounts,
  type Timings,
  time,
} from './measure.js';

/** 1,000,000 by default; BENCH_CONTACTS for a quicker look. */
const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const PREVIEW_RUNS = 200;
/** Plain SQL answers take 0.1–1 s each: fewer runs, said in the table. */
const SQL_RUNS = Number(process.env.BENCH_SQL_RUNS ?? 20);
/** BENCH_IMPORT_ONLY=1 stops after the import (quicker while working on it). */
const IMPORT_ONLY = process.env.BENCH_IMPORT_ONLY === '1';
/** Raw COPY and import timed alternately this many times (default 3 with BENCH_IMPORT_ONLY, else 1). */
const PAIRS = Number(process.env.BENCH_PAIRS ?? (IMPORT_ONLY ? 3 : 1));
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const asOf = new Date(Date.UTC(2026, 2, 1));

type Row = [string, string];
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const pct = (t: Timings) => `${fmt(t.p50)} / ${fmt(t.p99)} (${t.runs} runs)`;
const rate = (ms: number) => `${Math.round(N / (ms / 1000)).toLocaleString('en-US')} rows/s`;

async function measure(database: Database, rawCopy: (db: Database['db']) => Promise<number>, path: string) {
  // The backend's CPU is read from /proc: only for the PostgreSQL server on this machine.
  const local =
    database.driver === 'postgres' && ['127.0.0.1', 'localhost'].includes(new URL(ADMIN_URL).hostname);
  const db = database.db;
  const out: Row[] = [];
  let workspaceId = 0;
  let imported: Awaited<ReturnType<typeof importFile>> | undefined;
  const pairs: { copyMs: number; importMs: number; load: string }[] = [];
  // Floor and import alternate, PAIRS times: a floor measured once would flatter or
  // penalise the import as the machine's load moves. Every pair starts from empty contacts.
  for (let pair = 0; pair < PAIRS; pair++) {
    if (pair > 0) {
      await db.execute(sql`TRUNCATE contact_identities, contacts CASCADE`);
      await db.execute(sql`DROP TABLE raw_import`);
    }
    const [ws] = await rows<{ id: number }>(
      db,
      sql`INSERT INTO workspaces (name, max_tags) VALUES ('bench', 100) RETURNING id`,
    );
    workspaceId = Number(ws!.id);
    for (let i = 0; i < TAGS; i++)
      await db.execute(
        sql`INSERT INTO tags (workspace_id, name) VALUES (${workspaceId}::bigint, ${tagName(i)})`,
      );
    const load = loadavg()[0]!.toFixed(1);
    const copyMs = await rawCopy(db);
    imported = await importFile(db, path, workspaceId, local);
    pairs.push({ copyMs, importMs: imported.ms, load });
  }
  for (const [i, p] of pairs.entries())
    out.push([
      `pair ${i + 1}: raw COPY into an unlogged table · import end to end (load average at its start)`,
      `${fmt(p.copyMs)} (${rate(p.copyMs)}) · ${fmt(p.importMs)} (${rate(p.importMs)}), import/COPY ${(p.importMs / p.copyMs).toFixed(1)}× (load ${p.load})`,
    ]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratios = pairs.map((p) => p.importMs / p.copyMs);
  out.push([
    'raw COPY into an unlogged table (median)',
    `${fmt(median(pairs.map((p) => p.copyMs)))} (${rate(median(pairs.map((p) => p.copyMs)))})`,
  ]);
  out.push([
    'import end to end (parse, validate, stage, merge, 1 transaction; median)',
    `${fmt(median(pairs.map((p) => p.importMs)))} (${rate(median(pairs.map((p) => p.importMs)))}), ${imported!.value.created.toLocaleString('en-US')} created, ${imported!.value.errors.length} bad; import/COPY ${median(ratios).toFixed(1)}× (${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)})`,
  ]);
  for (const [phase, { wallMs, cpuMs, databaseCpuMs }] of Object.entries(imported!.value.phases))
    out.push([
      `· import phase (last pair): ${phase}`,
      `${fmt(wallMs)} (${Math.round((100 * wallMs) / imported!.ms)}%), CPU Node ${fmt(cpuMs)}${
        databaseCpuMs === undefined ? '' : ` + PostgreSQL ${fmt(databaseCpuMs)}`
      }`,
    ]);
  if (IMPORT_ONLY) return out;
  const tagIds = await rows<{ id: number; name: string }>(
    db,
    sql`SELECT id, name FROM tags WHERE workspace_id = ${workspaceId}::bigint`,
  );
  const byName = new Map(tagIds.map((t) => [t.name, String(t.id)]));
  const tag = (rank: number) => byName.get(tagName(rank))!;
  const [avg] = await rows<{ a: number }>(
    db,
    sql`SELECT avg(cardinality(tag_ids))::float8 AS a FROM contacts WHERE workspace_id = ${workspaceId}::bigint`,
  );
  out.push(['tags per contact (average)', avg!.a.toFixed(2)]);
  const build = await time(() => previews(db, workspaceId, { all: true }, 1, asOf));
  out.push(['index build (first preview after start)', fmt(build.ms)]);
  const held = audienceIndexesFor(db).stats().bytes;
  out.push([
    'index held in memory (estimate: arrays exact, id map at 30 B an entry)',
    `${Math.round(held / 1e6)} MB, ${Math.round(held / N)} B a contact`,
  ]);
  await db.execute(
    sql`CREATE TABLE bench_contact_tags AS SELECT id AS contact_id, unnest(tag_ids) AS tag_id FROM contacts`,
  );
  await db.execute(sql`ALTER TABLE bench_contact_tags ADD PRIMARY KEY (contact_id, tag_id)`);
  await db.execute(sql`CREATE INDEX ON bench_contact_tags (tag_id, contact_id)`);
  await db.execute(sql`ANALYZE`);
  for (const [name, e] of Object.entries(expressions(tag))) {
    const preview = await previews(db, workspaceId, e, PREVIEW_RUNS, asOf);
    const joins = await sqlCounts(db, joinSql(workspaceId, e, asOf), SQL_RUNS);
    const planner = await sqlCounts(db, plannerSql(workspaceId, e, asOf), Math.min(SQL_RUNS, 10));
    const exact = preview.matched === joins.n && joins.n === planner.n;
    out.push([
      `audiencePreview ${name}, p50 / p99`,
      `${pct(preview.timings)}: ${preview.matched.toLocaleString('en-US')} match, ${exact ? 'exact' : `MISMATCH (SQL ${joins.n})`}`,
    ]);
    out.push([`plain SQL joins over contact_tags ${name}, p50 / p99`, pct(joins.timings)]);
    out.push([`planner SQL on the bigint[] column ${name}, p50 / p99`, pct(planner.timings)]);
  }
  const change = await afterTagChange(db, workspaceId, tag(9), asOf);
  out.push([
    'preview right after a tag change',
    `${fmt(change.ms)}, ${change.exact ? 'exact' : 'NOT exact'}`,
  ]);
  out.push(['process RSS at the end', `${Math.round(process.memoryUsage().rss / 1e6)} MB`]);
  return out;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'qunfa-bench-'));
  const path = join(dir, 'contacts.csv');
  const gen = await time(() => writeContactsCsv(path, N));
  process.stderr.write(
    `generated ${N} contacts (${(statSync(path).size / 1e6).toFixed(0)} MB) in ${fmt(gen.ms)}\n`,
  );

  const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let pg: Row[] = [];
  try {
    const database = await openDatabase({ url: url.toString() });
    pg = await measure(database, (db) => rawCopyPostgres(url.toString(), path, db), path);
    await database.close();
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  process.stderr.write('PostgreSQL done\n');
  let lite: Row[] = [];
  if (process.env.BENCH_SKIP_PGLITE !== '1') {
    const liteDir = join(dir, 'pglite');
    const database = await openDatabase({ dataDir: liteDir });
    const client = (database.db as unknown as { $client: PGlite }).$client;
    lite = await measure(database, (db) => rawCopyPglite(client, path, db), path);
    await database.close();
  }
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });

  const lines = [
    `## bench/audience — ${N.toLocaleString('en-US')} contacts, ${TAGS} tags`,
    '',
    '| Measure | PostgreSQL 15 | PGlite |',
    '|---|---|---|',
    // By label, not position: the two databases need not report the same import phases.
    ...[...new Set([...pg, ...lite].map(([label]) => label))].map((label) => {
      const on = (results: typeof pg) => results.find(([l]) => l === label)?.[1];
      return `| ${label} | ${on(pg) ?? '—'} | ${on(lite) ?? (lite.length === 0 ? 'skipped' : '—')} |`;
    }),
    '',
    `Targets on PostgreSQL: import ≥ 100,000 rows/s; preview p99 ≤ 50 ms, exact. Node ${process.version}, ${
      (await import('node:os')).cpus().length
    } cores (shared).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
