import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { mainCommand } from './built-main.js';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));

export interface QunfaProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit signal (or code) once it has exited. */
  exited: Promise<NodeJS.Signals | number | null>;
}

/**
 * Spawns `src/main.ts <command>` as its own process, as an operator would run it (from the run's
 * build of it: `mainCommand`), and keeps track of it so that `killAll` can end every one still running.
 */
export class ChildProcesses {
  private readonly running = new Set<QunfaProcess>();

  spawn(command: 'serve' | 'worker', env: Record<string, string | undefined>): QunfaProcess {
    const main = mainCommand(inject('builtMain'), {
      ...process.env,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    });
    const child = spawn(process.execPath, [...main.args, command], {
      cwd: apiDir,
      env: main.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout?.on('data', (d) => (log += d));
    child.stderr?.on('data', (d) => (log += d));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    const proc: QunfaProcess = { child, output: () => log, exited };
    this.running.add(proc);
    void exited.then(() => this.running.delete(proc));
    return proc;
  }

  /** The base URL a `serve` process prints once it listens (a loaded CI machine took 60 s to start one). */
  async urlOf(proc: QunfaProcess, timeoutMs = 100_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /Qunfa is running at (http:\/\/\S+)/.exec(proc.output());
      if (match) return match[1]!;
      if (proc.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the API process did not start:\n${proc.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: no shutdown hook runs, as when a machine dies. */
  async kill9(proc: QunfaProcess): Promise<void> {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }

  /** Ends every process still running: SIGTERM, then SIGKILL after `graceMs`. */
  async killAll(graceMs = 5000): Promise<void> {
    await Promise.all(
      [...this.running].map(async (proc) => {
        proc.child.kill('SIGTERM');
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
        await proc.exited;
        clearTimeout(timer);
      }),
    );
  }

  get count(): number {
    return this.running.size;
  }
}
