import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { closeRedis, connectRedis } from '@qunfa/api/src/adapters/redis-connection.js';

const apiDir = dirname(createRequire(import.meta.url).resolve('@qunfa/api/package.json'));

export interface ApiProcess {
  child: ChildProcess;
  pid: number;
  /** The `serve` command's address (empty for a worker). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `src/main.ts serve` (or `worker`) of the API as an operator would, in a process of
 * its own, and resolves once it runs: its CPU and memory are read from `/proc`, apart from
 * the benchmark's.
 */
export async function startApiProcess(
  command: 'serve' | 'worker',
  env: Record<string, string>,
  /** The API package to run (another worktree's, to compare code on one database); this one's by default. */
  dir = apiDir,
): Promise<ApiProcess> {
  // BENCH_API_NODE_ARGS: extra Node options for the API processes (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const extra = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'src/main.ts', command], {
    cwd: dir,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => (log = (log + d).slice(-20_000)));
  child.stderr?.on('data', (d) => (log = (log + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  const ready = command === 'serve' ? /Qunfa is running at (\S+)/ : /worker running/;
  while (!ready.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${command} did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    pid: child.pid!,
    url: command === 'serve' ? ready.exec(log)![1]! : '',
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds (user + system) a live process has used, from `/proc/<pid>/stat`. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** RSS now and at its peak (VmRSS, VmHWM) of a live process, in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/**
 * One GraphQL call with an API key; throws on errors. Through `node:http`, not `fetch`: fetch
 * gives up after 300 s without headers, and the first preview of a 10M-contact workspace builds
 * its index for longer than that on a loaded machine.
 */
export function graphql<T>(url: string, key: string, query: string, variables: unknown): Promise<T> {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            const body = JSON.parse(text) as { data?: T; errors?: unknown[] };
            if (body.errors?.length || !body.data) reject(new Error(JSON.stringify(body.errors ?? body)));
            else resolve(body.data);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const agent = new Agent({ keepAlive: true });

/** What `/metrics` says of the API process's event loop and GC (prom-client's default metrics). */
export interface RuntimeMetrics {
  /** Event-loop delay since the previous scrape (prom-client resets its histogram on each). */
  lagP99Ms: number;
  lagMaxMs: number;
  /** GC pauses since the process started, seconds and count (all kinds). */
  gcSeconds: number;
  gcCount: number;
}

/** Scrapes `/metrics` (METRICS_TOKEN) of an API process; each scrape starts a new lag window. */
export async function runtimeMetrics(url: string, token: string): Promise<RuntimeMetrics> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  ).text();
  const value = (name: string) => {
    let total = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm')))
      total += Number(m[1]);
    return total;
  };
  return {
    lagP99Ms: value('qunfa_nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: value('qunfa_nodejs_eventloop_lag_max_seconds') * 1000,
    gcSeconds: value('qunfa_nodejs_gc_duration_seconds_sum'),
    gcCount: value('qunfa_nodejs_gc_duration_seconds_count'),
  };
}

/**
 * Removes a run's Redis keys (queue, limiter, the prefix's owner claim): each run has a prefix
 * of its own, so nothing else lives under it, and without this every run left its keys behind.
 */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = connectRedis(redisUrl, 'bench-cleanup');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await closeRedis(redis);
  }
}
