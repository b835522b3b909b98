import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@qunfa/api/src/db/database.js';
import postgres from 'postgres';
import { measureFloor } from './src/floor.js';
import { type MeasuredRun, runOnPostgres } from './src/pg-run.js';
import { seedContacts } from './src/seed.js';
import { segmentTable } from './src/server-stats.js';

/** `BENCH_RECIPIENTS`: a count, or with a k or M suffix (`100k`, `3M`, `10M`). */
function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kKmM]?)$/.exec(text.trim());
  if (!match) throw new Error(`BENCH_RECIPIENTS: "${text}" is not a count (say 1000000, 100k or 10M)`);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2] as '' | 'k' | 'K' | 'm' | 'M'];
  return Math.round(Number(match[1]) * scale);
}
const recipients = parseCount(process.env.BENCH_RECIPIENTS ?? '1000000');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const legs = new Set((process.env.BENCH_LEGS ?? 'pg1,pg2,pglite').split(','));
/** Floor and campaign are timed alternately, this many pairs per PostgreSQL leg, so both see the same load. */
const pairs = Math.max(1, Number(process.env.BENCH_PAIRS ?? 3));

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Runs `pglite-child.ts` and returns the JSON line it prints. */
function pgliteChild<T>(...args: string[]): Promise<T> {
  const script = fileURLToPath(new URL('./pglite-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T)
        : reject(new Error(`exit ${code}`)),
    ),
  );
}

interface Row {
  setup: string;
  run: MeasuredRun;
  floorSeconds: number;
}

/** One floor-then-campaign pair: its ratio, and the load average when it ran. */
interface Pair {
  setup: string;
  floorSeconds: number;
  campaignSeconds: number;
  /** CPU seconds: the floor's backend; the campaign's backends, workers and planning process. */
  floorCpu: number;
  campaignCpu: number;
  load: string;
}

const rows: Row[] = [];
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};
const pairRows: Pair[] = [];
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
// BENCH_LOG_STATEMENTS=1: the server logs every statement of this database with its duration (for a per-statement breakdown).
// BENCH_LOG_STATEMENTS=explain: also the plans (auto_explain, with row counts and timings) of statements over 50 ms.
if (process.env.BENCH_LOG_STATEMENTS) {
  await admin.unsafe(`ALTER DATABASE ${name} SET log_min_duration_statement = 0`);
}
if (process.env.BENCH_LOG_STATEMENTS === 'explain') {
  for (const setting of [
    "session_preload_libraries = 'auto_explain'",
    'auto_explain.log_min_duration = 50',
    'auto_explain.log_analyze = on',
    'auto_explain.log_buffers = on',
    'auto_explain.log_nested_statements = on',
  ]) {
    await admin.unsafe(`ALTER DATABASE ${name} SET ${setting}`);
  }
}
// BENCH_PG_SET=name=value,…: settings of this database's sessions, e.g. log_statement_stats=on for
// bench/events' pg-statement-stats.mjs (PostgreSQL's CPU per statement, from the server log).
for (const setting of (process.env.BENCH_PG_SET ?? '').split(',').filter(Boolean)) {
  const [key, value] = setting.split('=');
  if (!key || value === undefined || !/^[a-z_.]+$/.test(key))
    throw new Error(`BENCH_PG_SET: not name=value: ${setting}`);
  await admin.unsafe(`ALTER DATABASE ${name} SET ${key} = '${value.replaceAll("'", "''")}'`);
}
if (process.env.BENCH_PG_SET) say(`database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const databaseUrl = url.toString();
let pgFloor: Awaited<ReturnType<typeof measureFloor>> | undefined;

try {
  if (legs.has('pg1') || legs.has('pg2')) {
    const database = await openDatabase({ url: databaseUrl, poolSize: 2 });
    say(`PostgreSQL: seeding ${recipients} contacts`);
    const workspaceId = await seedContacts(database.db, recipients);
    for (const workers of [1, 2]) {
      if (!legs.has(`pg${workers}`)) continue;
      const setup = `PostgreSQL + Redis, ${workers} worker${workers > 1 ? 's' : ''}`;
      for (let pair = 1; pair <= pairs; pair++) {
        say(
          `PostgreSQL: pair ${pair}/${pairs}: the plain-SQL floor, then a campaign with ${workers} worker(s)`,
        );
        const floor = await measureFloor(database.db, workspaceId);
        const floorSeconds = floor.insertSeconds + floor.updateSeconds;
        const run = await runOnPostgres({ databaseUrl, redisUrl, workspaceId, workers, recipients });
        const cpu = run.cpu ?? { backends: 0, workers: 0, api: 0 };
        pairRows.push({
          setup,
          floorSeconds,
          campaignSeconds: run.seconds,
          floorCpu: floor.cpuSeconds,
          campaignCpu: cpu.backends + cpu.workers + cpu.api,
          load: loadAverage(),
        });
        pgFloor = floor;
        rows.push({ setup: `${setup} (pair ${pair})`, run, floorSeconds });
        say(
          `  floor ${fmt(floorSeconds)} s (CPU ${fmt(floor.cpuSeconds)} s), campaign ${fmt(run.seconds)} s (CPU: backends ${fmt(cpu.backends)} s, workers ${fmt(cpu.workers)} s, API ${fmt(cpu.api)} s), ratio ${fmt(run.seconds / floorSeconds, 2)}, load ${loadAverage()}`,
        );
      }
    }
    await database.close();
  }
  if (legs.has('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'qunfa-bench-'));
    try {
      say(`PGlite: seeding ${recipients} contacts and measuring the floor`);
      const seed = await pgliteChild<{ workspaceId: number; insertSeconds: number; updateSeconds: number }>(
        'seed',
        dir,
        String(recipients),
      );
      say('PGlite: campaign with the inline worker');
      const run = await pgliteChild<MeasuredRun>('run', dir, String(seed.workspaceId));
      rows.push({
        setup: 'PGlite (API + inline worker)',
        run,
        floorSeconds: seed.insertSeconds + seed.updateSeconds,
      });
      say(`  ${fmt(run.seconds)} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

function floorLine(floor: NonNullable<typeof pgFloor>): string {
  const { before, after } = floor.stats;
  const millions = recipients / 1e6;
  const d = (key: keyof typeof before) => (after[key] - before[key]) / millions;
  return `Floor on PostgreSQL (last pair): INSERT … SELECT of the delivery rows ${fmt(floor.insertSeconds)} s + one UPDATE of each ${fmt(floor.updateSeconds)} s, its backend's CPU ${fmt(floor.cpuSeconds)} s; per million rows: ${Math.round(d('blocksRead')).toLocaleString('en')} blocks read, ${Math.round(d('blocksHit')).toLocaleString('en')} hit, ${fmt(d('walBytes') / 2 ** 20, 0)} MB of WAL, ${Math.round(d('walFullPageImages')).toLocaleString('en')} full-page images.`;
}

const lines = [
  `Pipeline benchmark: ${recipients.toLocaleString('en')} recipients, zero-latency channel, batches of 1,000, 4 batches at once per worker`,
  '',
  '| Setup | Total s | Plan s | Recipients/s | s per million | Floor s | Qunfa / floor | CPU s (backends + workers + API) | Peak RSS at 100k | at 1M | at end |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const cpu = r.run.cpu;
    const cpuText = cpu
      ? `${fmt(cpu.backends + cpu.workers + cpu.api)} (${fmt(cpu.backends)} + ${fmt(cpu.workers)} + ${fmt(cpu.api)})`
      : '–';
    return `| ${r.setup} | ${fmt(r.run.seconds)} | ${fmt(r.run.planSeconds)} | ${Math.round(recipients / r.run.seconds).toLocaleString('en')} | ${fmt(r.run.seconds / (recipients / 1e6))} | ${fmt(r.floorSeconds)} | ${fmt(r.run.seconds / r.floorSeconds, 2)} | ${cpuText} | ${Math.round(r.run.peakMbAt100k)} MB | ${r.run.peakMbAt1m ? `${Math.round(r.run.peakMbAt1m)} MB` : '–'} | ${Math.round(r.run.peakMbAtEnd)} MB |`;
  }),
  '',
  ...(pgFloor ? [floorLine(pgFloor)] : []),
  `Every run ended with sent = ${rows.map((r) => r.run.sent).join(' / ')} and failed = ${rows.map((r) => r.run.failed).join(' / ')}.`,
  'Peak RSS: the worker processes (highest of them) on PostgreSQL; the one process on PGlite.',
  '',
  'Floor and campaign timed alternately, pair by pair (the ratio of each pair, and the load average as it ended):',
  '',
  '| Setup | Pairs | Ratios (wall clock) | Median | Spread (max − min) | CPU ratios | CPU median |',
  '|---|---:|---|---:|---:|---|---:|',
  ...[...new Set(pairRows.map((p) => p.setup))].map((setup) => {
    const mine = pairRows.filter((p) => p.setup === setup);
    const ratios = mine.map((p) => p.campaignSeconds / p.floorSeconds);
    const cpuRatios = mine.map((p) => p.campaignCpu / p.floorCpu);
    const sorted = [...ratios].sort((a, b) => a - b);
    const loads = mine.map((p) => p.load);
    return `| ${setup} | ${ratios.length} | ${ratios.map((r, i) => `${fmt(r, 2)} (load ${loads[i]})`).join(', ')} | ${fmt(median(ratios), 2)} | ${fmt(sorted.at(-1)! - sorted[0]!, 2)} | ${cpuRatios.map((r) => fmt(r, 2)).join(', ')} | ${fmt(median(cpuRatios), 2)} |`;
  }),
  ...rows
    .filter((r) => r.run.segments?.length)
    .flatMap((r) => [
      '',
      `${r.setup}, cut by recipients settled (figures per million; WAL and checkpoints are the whole server's):`,
      '',
      ...segmentTable(r.run.segments!),
    ]),
];
process.stdout.write(`${lines.join('\n')}\n`);
