import { readFileSync } from 'node:fs';
import { type Db, rows } from '@qunfa/api/src/db/database.js';
import { sql } from 'drizzle-orm';

/** CPU seconds (user + system) a live process has used; 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The server processes (backends) of the database `db` is connected to, by pid. */
export async function backendPids(db: Db): Promise<number[]> {
  const found = await rows<{ pid: number }>(
    db,
    sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  return found.map((r) => r.pid);
}

/**
 * CPU seconds used between `start()` and `read()` by this process, some child processes and the
 * database's backends: a figure the load of other work on the machine does not inflate as it
 * does wall-clock time. A backend that exits between two reads keeps what the last read saw; what it
 * used after that read is lost, so read before closing pools.
 */
export async function cpuMeter(db: Db, children: () => number[] = () => []) {
  const base = new Map<number, number>();
  // The last figure read of every backend seen: one that exits between two reads (a pool closing
  // an idle connection) keeps what it had used, so that a later read never counts less.
  const lastSeen = new Map<number, number>();
  const own = process.cpuUsage();
  for (const pid of [...(await backendPids(db)), ...children()]) base.set(pid, cpuSecondsOf(pid));
  return {
    async read(): Promise<{ backends: number; children: number; self: number }> {
      const since = (pid: number) => cpuSecondsOf(pid) - (base.get(pid) ?? 0);
      for (const pid of await backendPids(db))
        lastSeen.set(pid, Math.max(lastSeen.get(pid) ?? 0, since(pid)));
      const backends = [...lastSeen.values()].reduce((sum, used) => sum + used, 0);
      const kids = children().reduce((sum, pid) => sum + since(pid), 0);
      const usage = process.cpuUsage(own);
      return { backends, children: kids, self: (usage.user + usage.system) / 1e6 };
    },
  };
}
