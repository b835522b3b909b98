/**
 * Time of each phase of an import, in the order they ran: wall clock, and the CPU this
 * process spent (the rest is the database's share, or waiting for a core).
 */
export type ImportPhases = Record<string, { wallMs: number; cpuMs: number }>;

/** Times phases one after another: `lap(name)` ends the phase running since the last lap. */
export function stopwatch(): { phases: ImportPhases; lap(name: string): void } {
  const phases: ImportPhases = {};
  let wall = performance.now();
  let cpu = process.cpuUsage();
  return {
    phases,
    lap(name) {
      const nowWall = performance.now();
      const used = process.cpuUsage(cpu);
      const phase = phases[name] ?? { wallMs: 0, cpuMs: 0 };
      phase.wallMs += nowWall - wall;
      phase.cpuMs += (used.user + used.system) / 1000;
      phases[name] = phase;
      wall = nowWall;
      cpu = process.cpuUsage();
    },
  };
}
