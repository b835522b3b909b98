import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@qunfa/api/src/db/database.js';
import postgres from 'postgres';
import { measureFloor } from './src/floor.js';
import { type MeasuredRun, runOnPostgres } from './src/pg-run.js';
import { seedContacts } from './src/seed.js';

const recipients = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const legs = new Set((process.env.BENCH_LEGS ?? 'pg1,pg2,pglite').split(','));

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

const rows: Row[] = [];
const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const databaseUrl = url.toString();
let pgFloor = { insertSeconds: 0, updateSeconds: 0 };

try {
  if (legs.has('pg1') || legs.has('pg2')) {
    const database = await openDatabase({ url: databaseUrl, poolSize: 2 });
    say(`PostgreSQL: seeding ${recipients} contacts`);
    const workspaceId = await seedContacts(database.db, recipients);
    say('PostgreSQL: measuring the plain-SQL floor');
    pgFloor = await measureFloor(database.db, workspaceId);
    await database.close();
    for (const workers of [1, 2]) {
      if (!legs.has(`pg${workers}`)) continue;
      say(`PostgreSQL + Redis: campaign with ${workers} worker process(es)`);
      const run = await runOnPostgres({ databaseUrl, redisUrl, workspaceId, workers });
      rows.push({
        setup: `PostgreSQL + Redis, ${workers} worker${workers > 1 ? 's' : ''}`,
        run,
        floorSeconds: pgFloor.insertSeconds + pgFloor.updateSeconds,
      });
      say(`  ${fmt(run.seconds)} s`);
    }
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

const lines = [
  `Pipeline benchmark: ${recipients.toLocaleString('en')} recipients, zero-latency channel, batches of 1,000, 4 batches at once per worker`,
  '',
  '| Setup | Total s | Plan s | Recipients/s | Floor s | Qunfa / floor | Peak RSS at 100k | Peak RSS at end |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.setup} | ${fmt(r.run.seconds)} | ${fmt(r.run.planSeconds)} | ${Math.round(recipients / r.run.seconds).toLocaleString('en')} | ${fmt(r.floorSeconds)} | ${fmt(r.run.seconds / r.floorSeconds, 2)} | ${Math.round(r.run.peakMbAt100k)} MB | ${Math.round(r.run.peakMbAtEnd)} MB |`,
  ),
  '',
  `Floor on PostgreSQL: INSERT … SELECT of the delivery rows ${fmt(pgFloor.insertSeconds)} s + one UPDATE of each ${fmt(pgFloor.updateSeconds)} s.`,
  `Every run ended with sent = ${rows.map((r) => r.run.sent).join(' / ')} and failed = ${rows.map((r) => r.run.failed).join(' / ')}.`,
  'Peak RSS: the worker processes (highest of them) on PostgreSQL; the one process on PGlite.',
];
process.stdout.write(`${lines.join('\n')}\n`);
