/**
 * The compliance benchmark: our sensitive-word engine (normalising) against npm matchers
 * (not normalising) on the same seeded 20,000-term lexicon and mixed Chinese/English text.
 * Not a test: run it with `pnpm bench` (or `npx tsx run.ts`) and read the table.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { competitors } from './src/competitors.js';
import { megabytesPerSecond } from './src/measure.js';
import { measureOurs } from './src/ours.js';
import { formatReport } from './src/report.js';

const seed = 20_241_111;
const sizes = [100 * 1024, 1024 * 1024];
const timeoutMs = 60_000;
const here = fileURLToPath(new URL('.', import.meta.url));

export interface CompetitorRun {
  name: string;
  normalises: boolean;
  bytes: number;
  buildMs?: number;
  mbPerSecond?: number;
  /** Ours on the same text in the same process, alternating with it. */
  oursMbPerSecond?: number;
  matches?: number;
  /** Why there is no figure: it ran past the time limit, or failed. */
  failure?: string;
}

function runChild(name: string, normalises: boolean, bytes: number): Promise<CompetitorRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/competitor-child.ts', name, String(bytes), String(seed)],
      {
        cwd: here,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') return resolve({ name, normalises, bytes, failure: '> 60 s' });
      if (code !== 0) return resolve({ name, normalises, bytes, failure: `failed: ${err.split('\n')[0]}` });
      const r = JSON.parse(out.trim().split('\n').pop()!) as {
        bytes: number;
        buildMs: number;
        searchMs: number;
        oursMs: number;
        matches: number;
      };
      resolve({
        name,
        normalises,
        bytes,
        buildMs: r.buildMs,
        mbPerSecond: megabytesPerSecond(r.bytes, r.searchMs),
        oursMbPerSecond: megabytesPerSecond(r.bytes, r.oursMs),
        matches: r.matches,
      });
    });
  });
}

const ours = measureOurs(seed, sizes);
const runs: CompetitorRun[] = [];
for (const c of competitors) {
  for (const bytes of sizes) runs.push(await runChild(c.name, c.normalises, bytes));
}
process.stdout.write(formatReport({ seed, sizes, ours, runs }));
