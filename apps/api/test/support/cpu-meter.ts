import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../src/db/database.js';

const ticks = 100;

/** CPU seconds (user + system) of a process from /proc/<pid>/stat; undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / ticks;
  } catch {
    return undefined;
  }
}

/**
 * The CPU time a fault test's processes spent, for its printed figures (a loaded machine makes
 * wall-clock figures say little): child processes by pid, and the PostgreSQL backends of the
 * test's database, sampled every `everyMs` (a backend's last sample before it ends is what it
 * is counted for, so a backend's final second may be missed).
 */
export function cpuMeter(db: Db, children: () => number[], everyMs = 1000) {
  const seen = new Map<number, { kind: 'node' | 'pg'; seconds: number }>();
  const note = (pid: number, kind: 'node' | 'pg') => {
    const seconds = cpuSecondsOf(pid);
    if (seconds !== undefined) seen.set(pid, { kind, seconds });
  };
  const sample = async () => {
    for (const pid of children()) note(pid, 'node');
    const backends = await rows<{ pid: number }>(
      db,
      sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    ).catch(() => []);
    for (const { pid } of backends) note(pid, 'pg');
  };
  const timer = setInterval(() => void sample(), everyMs);
  return {
    sample,
    /** CPU seconds so far: the child processes, and the database's backends. */
    totals() {
      let node = 0;
      let pg = 0;
      for (const { kind, seconds } of seen.values()) {
        if (kind === 'node') node += seconds;
        else pg += seconds;
      }
      return { node: Math.round(node * 10) / 10, pg: Math.round(pg * 10) / 10 };
    },
    stop: () => clearInterval(timer),
  };
}

/** The 1-minute load average, for a wall-clock figure's context. */
export const load1 = () => loadavg()[0]!.toFixed(1);
