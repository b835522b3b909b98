import type { Readable } from 'node:stream';
import { QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { erasureKey } from '../services/erased-identities.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import type { ColumnTarget } from './columns.js';
import { copyWriter } from './copy-writer.js';
import { directWrite, identityTaken, reopen } from './direct-write.js';
import type { ImportEncoding } from './encoding.js';
import { mergeStaged } from './merge.js';
import { type ImportPhases, stopwatch } from './phases.js';
import { readRows } from './read-rows.js';
import { failedRows, type RowError } from './row-parser.js';
import { createStaging, stageGroups, stageIdentities } from './staging.js';

export interface ImportOptions {
  workspaceId: number;
  /** The server's clock, for the audit entry. Default the system clock's time. */
  now?: () => Date;
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
  const [limit] = await rows<{ max: number }>(
    tx,
    sql`SELECT max_tags::int AS max FROM workspaces WHERE id = ${workspaceId}::bigint`,
  );
  return {
    missing: (names: string[]) => names.some((n) => !known.has(n)),
    async create(names: string[]) {
      for (const name of names) {
        if (known.has(name)) continue;
        // The workspace's tag limit holds for imports too: the whole import is refused.
        if (limit && known.size >= limit.max) {
          throw new QunfaError(
            'INVALID_INPUT',
            `the import needs more tags than the workspace's ${limit.max} (max_tags)`,
            {
              details: { field: 'tags', maxTags: limit.max },
            },
          );
        }
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
    options.onProgress?.({ phase, rows: total, failed: failedRows(errors) });
  const watch = stopwatch();
  // An upload cut off (or aborted by a stop) while the transaction is still being set up must
  // not throw as an unhandled 'error' event: reading finds it on `input.errored` and fails.
  input.on('error', () => undefined);
  const outcome = await db
    .transaction(async (raw) => {
      const tx = raw as unknown as Db;
      if (options.measureDatabaseCpu) {
        const [backend] = await rows<{ pid: number }>(tx, sql`SELECT pg_backend_pid() AS pid`);
        watch.watchBackend(backend!.pid);
        watch.lap('start');
      }
      // One import of a workspace at a time: a second waits here and then sees the first's
      // contacts, so it merges into them instead of failing on their identities at the end.
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(hashtextextended(${`qunfa.import.${options.workspaceId}`}, 0))`,
      );
      await createStaging(tx);
      const tags = await tagResolver(tx, options.workspaceId);
      const [start] = await rows<{ erased: number; identities: boolean }>(
        tx,
        sql`SELECT (SELECT count(*) FROM erased_identities WHERE workspace_id = ${options.workspaceId}::bigint)::int AS erased,
        EXISTS (SELECT 1 FROM contact_identities WHERE workspace_id = ${options.workspaceId}::bigint) AS identities`,
      );
      const key = start!.erased > 0 ? await erasureKey(tx, options.workspaceId) : undefined;
      const staging = copyWriter(tx);
      // Nothing to match or suppress (the first import of a workspace): new contacts go straight
      // to the final tables, and only rows that join an earlier row of the file are merged.
      const direct =
        !start!.identities && key === undefined
          ? await directWrite(tx, staging, options.workspaceId)
          : undefined;
      const read = await readRows(
        input,
        { encoding: options.encoding, mapping: options.mapping, erasureKey: key },
        {
          tags: {
            missing: tags.missing,
            async create(names) {
              // A new tag is an INSERT: the COPY running on the transaction's connection ends first.
              await staging.pause();
              await tags.create(names);
            },
            ids: tags.ids,
          },
          send: staging.send,
          direct,
          progress: (rows, failed) => {
            total = rows;
            options.onProgress?.({ phase: 'reading', rows, failed });
          },
        },
      ).catch(async (error: unknown) => {
        await staging.abort(error instanceof Error ? error : new Error(String(error)));
        throw error;
      });
      await staging.pause();
      watch.lap('read: parse, validate, write new contacts, stage the rest');
      encoding = read.encoding;
      total = read.rows;
      // Not push(...): an import with a few hundred thousand bad rows would overflow the stack.
      for (const error of read.errors) errors.push(error);
      // Unreadable rows are found before the rows around them: the report reads top to bottom.
      errors.sort((a, b) => a.row - b.row);
      if (options.allOrNothing && errors.length > 0) {
        throw new QunfaError('INVALID_INPUT', `${failedRows(errors)} bad rows: nothing was imported`, {
          details: { field: 'file', errors: errors.slice(0, 100) },
        });
      }
      progress('merging');
      await reopen(tx, read.reopened);
      await stageGroups(tx, read.groups);
      await stageIdentities(tx);
      watch.lap('merge: stage groups, identities');
      const staged = await mergeStaged(tx, options.workspaceId, watch.lap, options.now?.() ?? new Date());
      const merged = { ...staged, created: staged.created + read.written - read.reopened.length };
      for (const conflict of merged.conflicts) errors.push(conflict);
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
        at: options.now?.() ?? new Date(),
        subjectType: 'workspace',
        subjectId: options.workspaceId,
        details: { rows: total, created: merged.created, merged: merged.merged, failed: failedRows(errors) },
      });
      watch.lap('analyze, audit');
      return { created: merged.created, merged: merged.merged };
    })
    .catch((error: unknown) => {
      throw identityTaken(error) ?? error;
    });
  watch.lap('commit');
  errors.sort((a, b) => a.row - b.row);
  progress('done');
  return { encoding, rows: total, ...outcome, errors, phases: watch.phases };
}
