/*
 * Runs one leg and measures it: the requests are sent by a child process (client.mjs), spawned and
 * handed its requests before the measurement starts; the row gives events/s, p50/p99, and the CPU
 * time per event of this process (the API's) and of the database's PostgreSQL backends (/proc),
 * with the load average. `measureIdle` first takes what both spend with no request at all.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Req } from './intake-requests.js';
import { statementsSent, takeFrequentStatements } from './statement-counter.js';

const here = dirname(fileURLToPath(import.meta.url));

/** CPU seconds (user + system) of the given processes, from /proc/<pid>/stat. */
const ticks = Number(process.env.BENCH_CLK_TCK ?? 100);
function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / ticks);
    } catch {
      // gone
    }
  }
  return out;
}

export const LEG_TABLE_HEADER = [
  '| leg | events | requests | events/s | p50 ms | p99 ms | API CPU ms/event | PG CPU ms/event | CPU ms/event | implied events/s on 2 idle cores | CPU ms/event net of idle | implied events/s net of idle | SQL statements/event | load (1 min) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];

export async function createLegRunner(options: {
  base: string;
  concurrency: number;
  /** PostgreSQL backends of the API's database, asked before and after each leg. */
  backends: () => Promise<number[]>;
  say: (line: string) => void;
}) {
  const { base, concurrency, backends, say } = options;
  /** BENCH_PROFILE=<dir>: a V8 CPU profile of the API process per leg, <dir>/<n>-<leg>.cpuprofile. */
  const profileDir = process.env.BENCH_PROFILE;
  const inspector = profileDir ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
  }
  let legNumber = 0;
  let idle = { cpuMsPerS: 0, statementsPerS: 0 };
  /** The table rows of the legs run so far. */
  const rows: string[] = [];

  /**
   * What the API and its backends spend with no request at all (the worker's ticks, heartbeats,
   * progress): a cost per second, not per event, inside every leg's figures.
   */
  const measureIdle = async () => {
    const pids = await backends();
    const pg0 = cpuOf(pids);
    const api0 = process.cpuUsage();
    const s0 = statementsSent();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const seconds = (performance.now() - t0) / 1000;
    const api = process.cpuUsage(api0);
    let pg = 0;
    for (const [pid, v] of cpuOf(pids)) pg += v - (pg0.get(pid) ?? 0);
    idle = {
      cpuMsPerS: ((api.user + api.system) / 1000 + pg * 1000) / seconds,
      statementsPerS: (statementsSent() - s0) / seconds,
    };
    return idle;
  };

  /**
   * BENCH_WARM=<fraction>: that share of each leg's requests is sent first, unmeasured, so that the
   * row is what the leg's path costs once V8 has compiled it (sustained intake), not a cold
   * process's first requests. 0 (the default): all measured, as before.
   */
  const warmShare = Number(process.env.BENCH_WARM ?? 0);

  /** Sends the requests with the client and waits for it, measuring nothing. */
  const sendUnmeasured = async (label: string, requests: Req[]) => {
    const child = spawn(process.execPath, [join(here, 'client.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    child.stdin.write(`${JSON.stringify({ base, concurrency, requests })}\n`);
    child.stdin.end('go\n');
    if ((await done) !== 0) throw new Error(`${label}: the client failed (warming)`);
    const text = Buffer.concat(out).toString('utf8');
    const { failures } = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { failures: string[] };
    if (failures.length > 0)
      throw new Error(`${label}: ${failures.length} failed while warming, e.g. ${failures[0]}`);
    takeFrequentStatements(0);
  };

  const run = async (label: string, all: Req[]) => {
    const warm = warmShare > 0 ? Math.floor(all.length * Math.min(warmShare, 0.9)) : 0;
    if (warm > 0) await sendUnmeasured(label, all.slice(0, warm));
    const requests = all.slice(warm);
    const events = requests.reduce((n, r) => n + r.events, 0);
    // The client is spawned and given its requests before the measurement starts, and told to
    // go once it has parsed them: spawning it and serialising the requests are the bench's work,
    // not the API's, and were counted as the API's before.
    const child = spawn(process.execPath, [join(here, 'client.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    let ready: () => void = () => {};
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      if (Buffer.concat(out).includes('\n')) ready();
    });
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    child.stdin.write(`${JSON.stringify({ base, concurrency, requests })}\n`);
    await Promise.race([isReady, done]);
    if (inspector) await inspector.post('Profiler.start');
    const pids0 = await backends();
    const statements0 = statementsSent();
    const pg0 = cpuOf(pids0);
    const api0 = process.cpuUsage();
    const load0 = loadavg()[0]!;
    child.stdin.end('go\n');
    if ((await done) !== 0) throw new Error(`${label}: the client failed`);
    const api = process.cpuUsage(api0);
    const sent = statementsSent() - statements0;
    for (const [text, n] of takeFrequentStatements(12)) say(`  ${label}: ${n} × ${text}`);
    if (inspector && profileDir) {
      const { profile } = await inspector.post('Profiler.stop');
      const file = `${String(legNumber++).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.cpuprofile`;
      writeFileSync(join(profileDir, file), JSON.stringify(profile));
    }
    const pids1 = await backends();
    const pg1 = cpuOf([...new Set([...pids0, ...pids1])]);
    let pgSeconds = 0;
    for (const [pid, s] of pg1) pgSeconds += s - (pg0.get(pid) ?? 0);
    const load = Math.max(load0, loadavg()[0]!);
    const text = Buffer.concat(out).toString('utf8');
    const r = JSON.parse(text.slice(text.indexOf('\n') + 1)) as {
      latencies: number[];
      failures: string[];
      wallMs: number;
    };
    if (r.failures.length > 0)
      throw new Error(`${label}: ${r.failures.length} failed, e.g. ${r.failures.slice(0, 3).join(' | ')}`);
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    const apiMs = (api.user + api.system) / 1000;
    const perEvent = (apiMs + pgSeconds * 1000) / events;
    // The idle spend (per second, whatever the load) taken out: what one more event costs.
    const marginal = Math.max(0.001, perEvent - (idle.cpuMsPerS * r.wallMs) / 1000 / events);
    const line = `| ${label} | ${events} | ${requests.length} | ${((events * 1000) / r.wallMs).toFixed(0)} | ${pct(50).toFixed(1)} | ${pct(99).toFixed(1)} | ${(apiMs / events).toFixed(2)} | ${((pgSeconds * 1000) / events).toFixed(2)} | ${perEvent.toFixed(2)} | ${(2000 / perEvent).toFixed(0)} | ${marginal.toFixed(2)} | ${(2000 / marginal).toFixed(0)} | ${(sent / events).toFixed(2)} | ${load.toFixed(1)} |`;
    rows.push(line);
    say(line);
  };

  return { measureIdle, run, rows };
}
