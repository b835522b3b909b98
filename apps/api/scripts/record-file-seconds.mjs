// Writes test/support/file-seconds.json from a Vitest JSON report: each test file's wall time in
// seconds, read by the slowest-first sequencer (test/support/slowest-first.ts).
// Usage: pnpm test:record-seconds   (runs the suite with the JSON reporter, then records)
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const [reportPath = 'test-output/vitest-report.json'] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const root = new URL('..', import.meta.url).pathname;
const seconds = Object.fromEntries(
  report.testResults
    .map((f) => [relative(root, f.name), Math.round((f.endTime - f.startTime) / 100) / 10])
    .sort((a, b) => b[1] - a[1]),
);
writeFileSync(
  new URL('../test/support/file-seconds.json', import.meta.url),
  `${JSON.stringify(seconds, null, 2)}\n`,
);
console.log(`recorded ${Object.keys(seconds).length} files`);
