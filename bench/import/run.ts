import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { writeContactsCsv } from '../audience/generate.js';

/**
 * Contact import end to end as a user runs it — `qunfa import <file> --workspace <id>`, a
 * process of its own — against the floor, a raw COPY of the same file into an unlogged
 * table, timed in turn (BENCH_PAIRS pairs) on one database. Wall time with the load average,
 * and the CPU each side spent, read from /proc: the CLI process (startup included, from its
 * parent shell's cutime/cstime once it has been reaped) and its PostgreSQL backends (polled
 * every 50 ms while they live), so figures on a shared machine can be read by CPU too.
 */
const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The API's src folder whose CLI runs (another checkout's, to compare code). */
const API_SRC = resolve(
  process.env.BENCH_API_SRC ?? join(dirname(fileURLToPath(import.meta.url)), '../../apps/api/src'),
);
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime (+ cutime + cstime with `children`) of a process, in ms. */
function cpuMs(stat: string, children = false): number {
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return (f[11]! + f[12]! + (children ? f[13]! + f[14]! : 0)) * TICK_MS;
}
function procCpuMs(pid: number): number | undefined {
  try {
    return cpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

const load = () => loadavg()[0]!.toFixed(1);
const us = (ms: number) => ((ms * 1000) / N).toFixed(1);
const rate = (ms: number) => Math.round(N / (ms / 1000)).toLocaleString('en-US');

interface Leg {
  wallMs: number;
  nodeMs?: number;
  backendMs: number;
  loadBefore: string;
  loadAfter: string;
}

/** The CPU of every backend of `database` but `exclude`'s, polled until `until` settles. */
async function backendsCpu(
  admin: postgres.Sql,
  database: string,
  exclude: number[],
  until: Promise<unknown>,
) {
  const seen = new Map<number, { from: number; last: number }>();
  let over = false;
  void until.finally(() => {
    over = true;
  });
  while (!over) {
    const pids = await admin<{ pid: number }[]>`SELECT pid FROM pg_stat_activity
      WHERE datname = ${database} AND backend_type = 'client backend'`;
    for (const { pid } of pids) {
      if (exclude.includes(pid)) continue;
      const now = procCpuMs(pid);
      if (now === undefined) continue;
      const s = seen.get(pid);
      // A backend seen first mid-run may have worked before: counted from 0 (they start with the CLI).
      if (s) s.last = now;
      else seen.set(pid, { from: 0, last: now });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let total = 0;
  for (const s of seen.values()) total += s.last - s.from;
  return total;
}

async function rawCopy(url: string, path: string, admin: postgres.Sql): Promise<Leg> {
  await admin`DROP TABLE IF EXISTS raw_import`;
  await admin`CREATE UNLOGGED TABLE raw_import (name text, phone text, email text, tags text, province text,
    city text, district text, device text, last_active text, level text)`;
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const [{ pid }] = (await client`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
  const loadBefore = load();
  const cpu0 = procCpuMs(pid)!;
  const start = performance.now();
  const writable = await client`COPY raw_import FROM STDIN (FORMAT csv, HEADER true)`.writable();
  await new Promise<void>((done, fail) => {
    createReadStream(path, { highWaterMark: 1 << 20 })
      .pipe(writable)
      .on('finish', done)
      .on('error', fail);
  });
  const wallMs = performance.now() - start;
  const backendMs = procCpuMs(pid)! - cpu0;
  await client.end();
  await admin`DROP TABLE raw_import`;
  return { wallMs, backendMs, loadBefore, loadAfter: load() };
}

async function cliImport(
  url: string,
  database: string,
  path: string,
  workspaceId: number,
  admin: postgres.Sql,
) {
  const [{ pid: adminPid }] = (await admin`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
  const loadBefore = load();
  const start = performance.now();
  // The shell reaps the CLI, then prints its own stat: cutime/cstime hold the CLI's CPU.
  const child = spawn(
    'sh',
    [
      '-c',
      `node --import tsx "${API_SRC}/main.ts" import "${path}" --workspace ${workspaceId}; s=$?; echo; cat /proc/$$/stat; exit $s`,
    ],
    {
      cwd: resolve(API_SRC, '..'),
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number>((done) => child.on('exit', (code) => done(code ?? -1)));
  const backendMs = await backendsCpu(admin, database, [adminPid], exited);
  const code = await exited;
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`the import failed (${code}): ${err.slice(-2000)}`);
  const lines = out.trim().split('\n');
  const nodeMs = cpuMs(lines.at(-1)!, true);
  return { wallMs, nodeMs, backendMs, loadBefore, loadAfter: load(), said: lines[0]! };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'qunfa-bench-import-'));
  const path = join(dir, 'contacts.csv');
  await writeContactsCsv(path, N);
  process.stderr.write(`generated ${N} contacts (${(statSync(path).size / 1e6).toFixed(0)} MB)\n`);
  const name = `qunfa_bench_import_${randomBytes(4).toString('hex')}`;
  const root = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await root.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const results: { floor: Leg; cli: Awaited<ReturnType<typeof cliImport>>; identities: number }[] = [];
  try {
    // Migrates the new database with the CLI's own code (it would, inside the first pair's timing).
    const { openDatabase } = (await import(
      join(API_SRC, 'db/database.ts')
    )) as typeof import('@qunfa/api/database');
    await (await openDatabase({ url: url.toString() })).close();
    for (let pair = 0; pair < PAIRS; pair++) {
      await admin`TRUNCATE contact_identities, contacts, contact_imports CASCADE`;
      await admin`VACUUM ANALYZE contacts`;
      const [ws] = await admin<
        { id: string }[]
      >`INSERT INTO workspaces (name, max_tags) VALUES ('bench', 100) RETURNING id`;
      const floor = await rawCopy(url.toString(), path, admin);
      const cli = await cliImport(url.toString(), name, path, Number(ws!.id), admin);
      const [n] = await admin<{ contacts: number; identities: number; tags: number }[]>`SELECT
        (SELECT count(*) FROM contacts WHERE workspace_id = ${ws!.id})::int AS contacts,
        (SELECT count(*) FROM contact_identities WHERE workspace_id = ${ws!.id})::int AS identities,
        (SELECT count(*) FROM contacts WHERE workspace_id = ${ws!.id} AND cardinality(tag_ids) > 0)::int AS tags`;
      if (n!.contacts !== N || n!.tags !== N) throw new Error(`imported ${JSON.stringify(n)}, expected ${N}`);
      results.push({ floor, cli, identities: n!.identities });
      process.stderr.write(`pair ${pair + 1}: ${cli.said}\n`);
    }
  } finally {
    await admin.end();
    await root.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await root.end();
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    `## bench/import — ${N.toLocaleString('en-US')} rows with tags (${(results[0]!.identities / N).toFixed(2)} identities a row), ${cpus().length} cores`,
    '',
    `CLI: node --import tsx ${API_SRC}/main.ts import <file> --workspace <id>`,
    '',
    '| pair | raw COPY: wall (rows/s) · backend CPU µs/row | load | import (CLI): wall (rows/s) | Node CPU µs/row | PostgreSQL CPU µs/row | CPU-implied rows/s (one core · two) | import/COPY wall | load |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(({ floor, cli }, i) => {
      const node = cli.nodeMs;
      const pg = cli.backendMs;
      return `| ${i + 1} | ${(floor.wallMs / 1000).toFixed(2)} s (${rate(floor.wallMs)}) · ${us(floor.backendMs)} | ${floor.loadBefore}→${floor.loadAfter} | ${(cli.wallMs / 1000).toFixed(2)} s (${rate(cli.wallMs)}) | ${us(node)} | ${us(pg)} | ${rate(node + pg)} · ${rate(Math.max(node, pg))} | ${(cli.wallMs / floor.wallMs).toFixed(1)}× | ${cli.loadBefore}→${cli.loadAfter} |`;
    }),
    '',
    'CPU-implied: rows a second if the import had one core to itself (Node + PostgreSQL CPU) or two (the larger of the two, reading and writing overlapped). Node CPU is the whole CLI process, startup and migrations check included.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
