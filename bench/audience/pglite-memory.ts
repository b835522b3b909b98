import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, rows } from '@qunfa/api/database';
import { audienceIndexesFor } from '@qunfa/api/src/audience/audience-indexes.js';
import { DEFAULT_HEAP_GROWTH, limitHeapGrowth } from '@qunfa/api/src/ops/heap-growth.js';
import { sql } from 'drizzle-orm';
import { TAGS, tagName, writeContactsCsv } from './generate.js';
import { expressions, importFile, previews } from './measure.js';

/**
 * PGlite's memory at a million contacts, in a process of its own (PGlite lives inside the
 * process that opens it, so the figures are the embedded default's and nothing else's):
 * RSS, its peak (VmHWM), the V8 heap and PGlite's WebAssembly memory after each phase —
 * open, import, index build, previews. No raw-COPY floor here: the floor reads the whole file
 * into a Blob, which is the benchmark's memory, not Qunfa's.
 *
 * `tsx pglite-memory.ts [contacts]` (default 1,000,000); prints a markdown table.
 */
// As `serve` on PGlite does (HEAP_GROWTH); BENCH_HEAP_GROWTH=0 measures V8's own factor.
limitHeapGrowth(Number(process.env.BENCH_HEAP_GROWTH ?? DEFAULT_HEAP_GROWTH));
const N = Number(process.argv[2] ?? process.env.BENCH_CONTACTS ?? 1_000_000);
const asOf = new Date(Date.UTC(2026, 2, 1));
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

function status(): { rss: number; peak: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
/** Resident MB by mapping (`[heap]`: malloc's; anonymous: V8's heap, WebAssembly memory and code, other mmaps). */
function residentByMapping(): string {
  const mbBy: Record<string, number> = {};
  let name = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) name = line.split(/\s+/).slice(5).join(' ') || 'anonymous';
    else if (line.startsWith('Rss:')) mbBy[name] = (mbBy[name] ?? 0) + Number(line.split(/\s+/)[1]) / 1024;
  }
  return Object.entries(mbBy)
    .filter(([, mb]) => mb >= 4)
    .map(([mapping, mb]) => `${mapping} ${Math.round(mb)} MB`)
    .join(', ');
}
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'qunfa-bench-lite-'));
const lines: string[] = [];
try {
  const path = join(dir, 'contacts.csv');
  await writeContactsCsv(path, N);
  const database = await openDatabase({ dataDir: join(dir, 'pglite') });
  const client = (database.db as unknown as { $client: PGlite & { mod?: { HEAPU8: Uint8Array } } }).$client;
  const wasm = () => client.mod?.HEAPU8.byteLength ?? Number.NaN;
  const row = (phase: string, extra = '') => {
    const s = status();
    const heap = process.memoryUsage();
    lines.push(
      `| ${phase} | ${mb(s.rss)} | ${mb(s.peak)} | ${mb(wasm())} | ${mb(heap.heapUsed)} | ${mb(heap.external + heap.arrayBuffers)} | ${(process.cpuUsage().user / 1e6).toFixed(1)} s | ${load()} | ${extra} |`,
    );
    process.stderr.write(`${lines.at(-1)}\n`);
    if (process.env.BENCH_SMAPS) process.stderr.write(`  resident by mapping: ${residentByMapping()}\n`);
  };
  row('opened, migrated');
  const db = database.db;
  const [ws] = await rows<{ id: number }>(
    db,
    sql`INSERT INTO workspaces (name, max_tags) VALUES ('bench', 100) RETURNING id`,
  );
  const workspaceId = Number(ws!.id);
  for (let i = 0; i < TAGS; i++)
    await db.execute(
      sql`INSERT INTO tags (workspace_id, name) VALUES (${workspaceId}::bigint, ${tagName(i)})`,
    );
  const imported = await importFile(db, path, workspaceId, false);
  row(
    'import',
    `${(imported.ms / 1000).toFixed(1)} s, ${imported.value.created.toLocaleString('en-US')} created`,
  );
  const tagIds = await rows<{ id: number; name: string }>(
    db,
    sql`SELECT id, name FROM tags WHERE workspace_id = ${workspaceId}::bigint`,
  );
  const byName = new Map(tagIds.map((t) => [t.name, String(t.id)]));
  const t0 = performance.now();
  await previews(db, workspaceId, { all: true }, 1, asOf);
  row(
    'index build',
    `${((performance.now() - t0) / 1000).toFixed(1)} s, index ${mb(audienceIndexesFor(db).stats().bytes)}`,
  );
  for (const [name, e] of Object.entries(expressions((rank) => byName.get(tagName(rank))!))) {
    const p = await previews(db, workspaceId, e, 100, asOf);
    row(`previews ${name} ×100`, `p50 ${p.timings.p50.toFixed(1)} ms, p99 ${p.timings.p99.toFixed(1)} ms`);
  }
  (globalThis as { gc?: () => void }).gc?.();
  row('after a full GC (--expose-gc)');
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  [
    `PGlite memory, ${N.toLocaleString('en-US')} contacts, ${TAGS} tags (${process.version})`,
    '',
    '| After | RSS | Peak RSS (VmHWM) | PGlite WASM memory | V8 heap used | external + array buffers | Node CPU (user) | load average | |',
    '|---|---|---|---|---|---|---|---|---|',
    ...lines,
    '',
  ].join('\n'),
);
