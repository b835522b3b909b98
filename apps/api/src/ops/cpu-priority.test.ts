import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Runs `lowerCpuPriority(nice)` in a process of its own, started at `startedAt`: what it returned and every thread's niceness after. */
function lowered(nice: number, startedAt = 0): { changed: number; threads: number[] } {
  const program = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { lowerCpuPriority } from ${JSON.stringify(new URL('./cpu-priority.ts', import.meta.url).href)};
    const changed = lowerCpuPriority(${nice});
    const threads = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    process.stdout.write(JSON.stringify({ changed, threads }));`;
  const command = ['--import', 'tsx', '--input-type=module', '-e', program];
  const out =
    startedAt > 0
      ? execFileSync('nice', ['-n', String(startedAt), process.execPath, ...command], { encoding: 'utf8' })
      : execFileSync(process.execPath, command, { encoding: 'utf8' });
  return JSON.parse(out);
}

describe.runIf(existsSync('/proc/self/task'))('lowerCpuPriority', () => {
  it("lowers every thread of the process, V8's and libuv's too, not only the main one", () => {
    const { changed, threads } = lowered(7);
    expect(threads.length).toBeGreaterThan(1);
    expect(changed).toBe(threads.length);
    expect(new Set(threads)).toEqual(new Set([7]));
  }, 60_000);

  it('never raises a priority: a process started nicer keeps its niceness, and 0 changes nothing', () => {
    expect(new Set(lowered(5, 10).threads)).toEqual(new Set([10]));
    expect(lowered(0).changed).toBe(0);
  }, 60_000);
});
