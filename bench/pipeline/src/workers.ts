import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const apiDir = dirname(createRequire(import.meta.url).resolve('@qunfa/api/package.json'));

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a `worker` process of the API, as an operator would, and resolves once it runs. */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  // BENCH_WORKER_NODE_ARGS: extra node flags for the workers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: apiDir,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  // BENCH_WORKER_LOG_DIR: each worker's output (with --trace-gc, say) also goes to worker-<pid>.log there.
  const logDir = process.env.BENCH_WORKER_LOG_DIR;
  const file = logDir ? createWriteStream(join(logDir, `worker-${child.pid}.log`)) : undefined;
  if (file) {
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  child.stdout?.on('data', (d) => (log = (log + d).slice(-20_000)));
  child.stderr?.on('data', (d) => (log = (log + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!log.includes('worker running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    pid: child.pid!,
    output: () => log,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
