import { readFileSync } from 'node:fs';

/**
 * Time of each phase of an import, in the order they ran: wall clock, the CPU this process
 * spent, and (when asked and the server runs on this machine) the CPU of the database
 * backend serving the import. Under a shared CPU the CPU times tell what bounds a phase.
 */
export type ImportPhases = Record<string, { wallMs: number; cpuMs: number; databaseCpuMs?: number }>;

/** CPU time (user + system, ms) of a process on this machine, or undefined if unreadable. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Times phases one after another: `lap(name)` ends the phase running since the last lap. */
export function stopwatch() {
  const phases: ImportPhases = {};
  let wall = performance.now();
  let cpu = process.cpuUsage();
  let backend: number | undefined;
  let backendCpu: number | undefined;
  return {
    phases,
    /** Also measures this database backend's CPU from now on (PostgreSQL on this machine). */
    watchBackend(pid: number) {
      backend = pid;
      backendCpu = processCpuMs(pid);
    },
    lap(name: string) {
      const nowWall = performance.now();
      const used = process.cpuUsage(cpu);
      const phase = phases[name] ?? { wallMs: 0, cpuMs: 0 };
      phase.wallMs += nowWall - wall;
      phase.cpuMs += (used.user + used.system) / 1000;
      if (backend !== undefined && backendCpu !== undefined) {
        const now = processCpuMs(backend);
        if (now !== undefined) phase.databaseCpuMs = (phase.databaseCpuMs ?? 0) + now - backendCpu;
        backendCpu = now;
      }
      phases[name] = phase;
      wall = nowWall;
      cpu = process.cpuUsage();
    },
  };
}
