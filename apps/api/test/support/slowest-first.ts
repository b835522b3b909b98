import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * Starts the test files that take longest first, by the seconds recorded in `file-seconds.json`.
 * Vitest orders by its own results cache, which a fresh clone (CI) does not have: it then runs
 * larger files first, and the slowest files here are short ones that wait on child processes
 * and restarts (fault-postgres, crash-recovery) — started last, they made the run's tail.
 * Files not in the table (new ones) count as `UNKNOWN_SECONDS`.
 * Refresh the table with `pnpm test:record-seconds` after adding slow files.
 */
const UNKNOWN_SECONDS = 10;
const recorded: Record<string, number> = JSON.parse(
  readFileSync(new URL('./file-seconds.json', import.meta.url), 'utf8'),
);

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification) =>
      recorded[relative(this.ctx.config.root, f.moduleId)] ?? UNKNOWN_SECONDS;
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}
