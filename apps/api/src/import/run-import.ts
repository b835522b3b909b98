import type { Readable } from 'node:stream';
import { QunfaError } from '@qunfa/core';
import { parse } from 'csv-parse';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { erasureKey, identityHash } from '../services/erased-identities.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import { type ColumnTarget, mapColumns } from './columns.js';
import { decoder, type ImportEncoding } from './encoding.js';
import { mergeStaged } from './merge.js';
import { type ImportPhases, stopwatch } from './phases.js';
import { type ImportRow, parseRow, type RowError } from './row-parser.js';
import { createStaging, stageGroups, stageIdentities, stager } from './staging.js';

export interface ImportOptions {
  workspaceId: number;
  actor: { kind: 'api_key' | 'user' | 'system'; id: string };
  encoding: ImportEncoding;
  /** Header → target; unmapped headers use the known names (姓名, 手机, 标签, …). */
  mapping: Record<string, ColumnTarget>;
  /** Refuse the whole file when any row is bad (default: apply the good rows, report the bad). */
  allOrNothing: boolean;
  onProgress?(p: ImportProgress): void;
  /** Also time the database backend's CPU per phase (benchmarks; PostgreSQL on this machine). */
  measureDatabaseCpu?: boolean;
}

export interface ImportProgress {
  phase: 'reading' | 'merging' | 'done';
  rows: number;
  failed: number;
}

export interface ImportOutcome {
  encoding: 'utf8' | 'gb18030';
  rows: number;
  created: number;
  merged: number;
  errors: RowError[];
  /** Wall-clock milliseconds per phase (read, merge steps, finish, commit), for benchmarks and logs. */
  phases: ImportPhases;
}

const PROGRESS_EVERY = 10_000;

/** Union-find over row numbers: rows sharing an identity end in one group, rooted at the earliest. */
class RowGroups {
  private readonly parent = new Map<number, number>();
  private readonly owner = new Map<string, number>();
  find(r: number): number {
    let root = r;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    return root;
  }
  add(row: ImportRow): void {
    for (const i of row.identities) {
      const key = `${i.kind}\u0000${i.value}`;
      const other = this.owner.get(key);
      if (other === undefined) this.owner.set(key, row.row);
      else {
        const a = this.find(other);
        const b = this.find(row.row);
        if (a !== b) this.parent.set(Math.max(a, b), Math.min(a, b));
      }
    }
  }
  /** Every row of a group with more than one row, with its root. */
  members(): { row: number; grp: number }[] {
    const out = new Map<number, number>();
    for (const r of this.parent.keys()) {
      const root = this.find(r);
      out.set(r, root);
      out.set(root, root);
    }
    return [...out].map(([row, grp]) => ({ row, grp }));
  }
}

/**
 * Tag ids by name, creating missing tags (kind attribute) inside the import's transaction.
 * Known names answer at once; `missing` lists the names `create` must add first.
 */
async function tagResolver(tx: Db, workspaceId: number) {
  const known = new Map(
    (
      await rows<{ id: number | string; name: string }>(
        tx,
        sql`SELECT id, name FROM tags WHERE workspace_id = ${workspaceId}::bigint`,
      )
    ).map((t) => [t.name, Number(t.id)]),
  );
  return {
    missing: (names: string[]) => names.some((n) => !known.has(n)),
    async create(names: string[]) {
      for (const name of names) {
        if (known.has(name)) continue;
        const [row] = await rows<{ id: number | string }>(
          tx,
          sql`INSERT INTO tags (workspace_id, name) VALUES (${workspaceId}::bigint, ${name}) RETURNING id`,
        );
        known.set(name, Number(row!.id));
      }
    },
    ids: (names: string[]) => names.map((n) => known.get(n)!),
  };
}

/**
 * Streams a CSV into the workspace in one transaction: decode, parse, validate, stage in
 * batches, then merge set-based. Bad rows go to `errors` (never dropped silently); with
 * `allOrNothing` any bad row rolls everything back.
 */
export async function runImport(db: Db, input: Readable, options: ImportOptions): Promise<ImportOutcome> {
  const errors: RowError[] = [];
  let encoding: 'utf8' | 'gb18030' = 'utf8';
  let total = 0;
  const progress = (phase: ImportProgress['phase']) =>
    options.onProgress?.({ phase, rows: total, failed: errors.length });
  const watch = stopwatch();
  const outcome = await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    if (options.measureDatabaseCpu) {
      const [backend] = await rows<{ pid: number }>(tx, sql`SELECT pg_backend_pid() AS pid`);
      watch.watchBackend(backend!.pid);
      watch.lap('start');
    }
    await createStaging(tx);
    const tags = await tagResolver(tx, options.workspaceId);
    const [erased] = await rows<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM erased_identities WHERE workspace_id = ${options.workspaceId}::bigint`,
    );
    const key = erased!.n > 0 ? await erasureKey(tx, options.workspaceId) : undefined;
    const groups = new RowGroups();
    const parser = input.pipe(decoder(options.encoding, (e) => (encoding = e))).pipe(
      parse({
        relax_column_count: true,
        skip_records_with_error: true,
        bom: true,
        skip_empty_lines: true,
      }),
    );
    // Skipped records do not count in csv-parse's record numbers: keep where they fell
    // (good records before each), so every row is reported as the spreadsheet numbers it.
    const skips: number[] = [];
    parser.on('skip', (err: Error & { code?: string; records?: number }) => {
      const before = err.records ?? 0;
      const reason =
        err.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quote is never closed: this row and every row after it could not be read'
          : `not valid CSV: ${err.message.split(':')[0]}`;
      errors.push({ row: before + skips.length + 1, field: '(row)', reason });
      skips.push(before);
    });
    let skipped = 0;
    // Records csv-parse has emitted, the header included (what its `info.records` counts).
    let records = 0;
    let targets: ColumnTarget[] | undefined;
    const staging = stager(tx);
    for await (const record of parser as AsyncIterable<string[]>) {
      records++;
      if (!targets) {
        targets = mapColumns(record, options.mapping);
        if (!targets.some((t) => 'identity' in t)) {
          throw new QunfaError(
            'INVALID_INPUT',
            'mapping: no column maps to an identity (phone, email, wxid, …)',
            {
              details: { field: 'mapping', headers: record },
            },
          );
        }
        continue;
      }
      total++;
      while (skipped < skips.length && skips[skipped]! < records) skipped++;
      const parsed = parseRow(records + skipped, record, targets);
      if ('reason' in parsed) errors.push(parsed);
      else {
        groups.add(parsed);
        if (tags.missing(parsed.tags)) {
          // A new tag is an INSERT: the COPY running on the transaction's connection ends first.
          await staging.pause();
          await tags.create(parsed.tags);
        }
        const hashes = key ? parsed.identities.map((i) => identityHash(key, i)) : [];
        const sending = staging.write({ row: parsed, tagIds: tags.ids(parsed.tags), hashes });
        if (sending) await sending;
      }
      if (total % PROGRESS_EVERY === 0) progress('reading');
    }
    await staging.pause();
    watch.lap('read: parse, validate, stage');
    total += skips.length;
    if (options.allOrNothing && errors.length > 0) {
      throw new QunfaError('INVALID_INPUT', `${errors.length} bad rows: nothing was imported`, {
        details: { field: 'file', errors: errors.slice(0, 100) },
      });
    }
    progress('merging');
    await stageGroups(tx, groups.members());
    await stageIdentities(tx);
    watch.lap('merge: stage groups, identities');
    const merged = await mergeStaged(tx, options.workspaceId, watch.lap);
    errors.push(...merged.conflicts);
    if (options.allOrNothing && merged.conflicts.length > 0) {
      throw new QunfaError(
        'INVALID_INPUT',
        `${merged.conflicts.length} rows conflict: nothing was imported`,
        {
          details: { field: 'file', errors: merged.conflicts.slice(0, 100) },
        },
      );
    }
    await recordAudienceChanges(tx, options.workspaceId, 'all');
    watch.lap('merge: counts, audience change log');
    // Fresh statistics, so the first audience-index load and plans after a big import use the indexes.
    await tx.execute(sql`ANALYZE contacts`);
    await tx.execute(sql`ANALYZE contact_identities`);
    await writeAudit(tx, {
      workspaceId: options.workspaceId,
      actor: options.actor,
      action: 'contacts.imported',
      subjectType: 'workspace',
      subjectId: options.workspaceId,
      details: { rows: total, created: merged.created, merged: merged.merged, failed: errors.length },
    });
    watch.lap('analyze, audit');
    return { created: merged.created, merged: merged.merged };
  });
  watch.lap('commit');
  errors.sort((a, b) => a.row - b.row);
  progress('done');
  return { encoding, rows: total, ...outcome, errors, phases: watch.phases };
}
