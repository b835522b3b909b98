import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'qunfa-pglite-new-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens (and migrates) PGlite in `dataDir` in a process of its own: its peak RSS in MB and a table count. */
function openApart(dataDir: string): { peakMb: number; tables: number } {
  const program = `
    import { readFileSync } from 'node:fs';
    import { openDatabase, rows } from ${JSON.stringify(new URL('../src/db/database.ts', import.meta.url).href)};
    import { sql } from 'drizzle-orm';
    const database = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });
    const [{ n }] = await rows(database.db, sql\`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'\`);
    await database.close();
    const peak = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    process.stdout.write(JSON.stringify({ peakMb: Math.round(peak), tables: n }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
  });
  return JSON.parse(out) as { peakMb: number; tables: number };
}

describe('PGlite in a new folder', () => {
  it('is created by a child process: the opening process never holds initdb (peak RSS 739 MB when it did)', () => {
    const dataDir = join(dir, 'pglite');
    const first = openApart(dataDir);
    expect(first.tables).toBeGreaterThan(10);
    expect(first.peakMb).toBeLessThan(450);
    expect(readdirSync(dataDir)).toContain('PG_VERSION');
    // Opened again, the same migrated database.
    expect(openApart(dataDir).tables).toBe(first.tables);
  }, 180_000);
});
