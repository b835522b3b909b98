import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gcFunction = runInNewContext('gc') as () => void;

/** A full garbage collection, so heap deltas measure what is retained. */
export function collectGarbage(): void {
  gcFunction();
  gcFunction();
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Runs `fn` once to warm up, then up to `runs` times within `budgetMs`; returns each run's time. */
export function timeRuns(fn: () => unknown, runs: number, budgetMs: number): number[] {
  fn();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < runs && (times.length === 0 || performance.now() - started < budgetMs)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** MB/s (MiB of UTF-8 per second) for `bytes` processed in `ms`. */
export function megabytesPerSecond(bytes: number, ms: number): number {
  return bytes / 1048576 / (ms / 1000);
}
