import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority to niceness `nice` (1–19; `WORKER_NICE`), so that an API
 * process on the same cores gets them first: a `worker` sending a campaign keeps every core it
 * can busy, and an operator's preview then waits for one (bench/audience: previews' p99 while a
 * 1M campaign sent, 75 ms with the worker at 0, 54–56 ms at 10). Every thread: on Linux a
 * niceness is a thread's, and V8's and libuv's threads (the garbage collector's helpers among
 * them) start before any code of ours runs; a thread started later inherits it. Only ever
 * raises a niceness (lowering one needs privileges), never lowers one the process was started
 * with. Returns how many threads it changed.
 */
export function lowerCpuPriority(nice: number): number {
  if (nice <= 0) return 0;
  let changed = 0;
  for (const tid of threadIds()) {
    try {
      if (getPriority(tid) >= nice) continue;
      setPriority(tid, nice);
      changed++;
    } catch {
      // A thread that ended meanwhile: nothing to lower.
    }
  }
  return changed;
}

/** This process's thread ids on Linux; elsewhere 0, which `setPriority` takes as the whole process. */
function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [0];
  }
}
