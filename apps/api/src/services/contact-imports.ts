import { Readable } from 'node:stream';
import { isQunfaError, QunfaError } from '@qunfa/core';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { contactImports } from '../db/schema/index.js';
import { type ColumnTarget, parseTarget } from '../import/columns.js';
import { importEncodings } from '../import/encoding.js';
import { failedRows, type RowError } from '../import/row-parser.js';
import { type ImportProgress, runImport } from '../import/run-import.js';
import type { ServiceDeps } from './deps.js';
import { parseId, validate } from './validate.js';

/** Most errors an import keeps for its report (the count goes on). */
const MAX_REPORTED_ERRORS = 10_000;

export type ContactImport = typeof contactImports.$inferSelect & { progress: ImportProgress | null };

const importInput = z.object({
  encoding: z.enum(importEncodings).default('auto'),
  mapping: z.record(z.string(), z.string()).default({}),
  allOrNothing: z.boolean().default(false),
});

/** Reads any WHATWG stream (yoga hands over its own ponyfill, which `Readable.fromWeb` refuses). */
async function* chunksOf(web: ReadableStream<Uint8Array>): AsyncGenerator<Buffer> {
  const reader = web.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield Buffer.from(value);
  }
}

/** Live progress of the imports this process runs (the row holds the outcome). */
const live = new Map<number, ImportProgress>();

function targetsOf(mapping: Record<string, string>): Record<string, ColumnTarget> {
  const out: Record<string, ColumnTarget> = {};
  for (const [header, value] of Object.entries(mapping)) {
    const target = parseTarget(value);
    if (!target) {
      throw new QunfaError(
        'INVALID_INPUT',
        `mapping.${header}: "${value}" is not a contact field, identity kind, attribute:<key> or ignore`,
        {
          details: { field: `mapping.${header}` },
        },
      );
    }
    out[header] = target;
  }
  return out;
}

/**
 * Starts importing a CSV (UTF-8 with or without BOM, or GB18030) and returns its record at
 * once; `done` settles when it has finished. The outcome, counts and error report land on
 * the record; a failed import changes no contact.
 */
export async function startContactImport(
  deps: ServiceDeps,
  principal: Principal | null,
  file: Readable | ReadableStream<Uint8Array>,
  input: unknown,
  onProgress?: (p: ImportProgress) => void,
): Promise<{ record: ContactImport; done: Promise<ContactImport> }> {
  const p = authorize(principal, 'write');
  const data = validate(importInput, input);
  const mapping = targetsOf(data.mapping);
  deps.imports?.admit();
  const [record] = await deps.db
    .insert(contactImports)
    .values({ workspaceId: p.workspaceId, state: 'running' })
    .returning();
  const id = record!.id;
  live.set(id, { phase: 'reading', rows: 0, failed: 0 });
  const stream = file instanceof Readable ? file : Readable.from(chunksOf(file));
  // A stop can abort the import (destroy the upload with its reason) before the import reads
  // it: the reason stays on the stream (`errored`, which the reader checks first) instead of
  // being thrown as an uncaught exception that ends the process.
  stream.on('error', () => {});
  const finish = async (values: Partial<typeof contactImports.$inferInsert>) => {
    live.delete(id);
    const [row] = await deps.db
      .update(contactImports)
      .set({ ...values, finishedAt: new Date() })
      .where(eq(contactImports.id, id))
      .returning();
    return { ...row!, progress: null };
  };
  const done = runImport(deps.db, stream, {
    workspaceId: p.workspaceId,
    now: () => deps.clock.now(),
    actor: { kind: 'api_key', id: String(p.keyId) },
    encoding: data.encoding,
    mapping,
    allOrNothing: data.allOrNothing,
    onProgress: (progress) => {
      live.set(id, progress);
      onProgress?.(progress);
    },
  }).then(
    (outcome) =>
      finish({
        state: 'completed',
        encoding: outcome.encoding,
        rows: outcome.rows,
        created: outcome.created,
        merged: outcome.merged,
        failed: failedRows(outcome.errors),
        errors: outcome.errors.slice(0, MAX_REPORTED_ERRORS),
      }),
    (error: unknown) => {
      const rejected = isQunfaError(error, 'INVALID_INPUT');
      const stopped = isQunfaError(error, 'UNAVAILABLE') || isQunfaError(error, 'CONFLICT');
      const errors = (rejected ? (error.details.errors as RowError[] | undefined) : undefined) ?? [
        {
          row: 0,
          field: rejected ? String(error.details.field ?? '(file)') : '(file)',
          reason: rejected || stopped ? error.message : 'the import failed',
        },
      ];
      if (stopped) deps.logger.warn('contact import aborted by the stop', { importId: id });
      else if (!rejected) deps.logger.error('contact import failed', { importId: id, error: String(error) });
      stream.destroy();
      return finish({ state: rejected ? 'rejected' : 'failed', failed: failedRows(errors), errors });
    },
  );
  // Aborting ends the upload with an error: reading fails and the transaction rolls back.
  deps.imports?.track(done, (reason) => stream.destroy(reason));
  return { record: { ...record!, progress: live.get(id) ?? null }, done };
}

export async function getContactImport(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<ContactImport> {
  const p = authorize(principal, 'read');
  const n = parseId(id);
  const [row] =
    n === undefined
      ? []
      : await deps.db
          .select()
          .from(contactImports)
          .where(and(eq(contactImports.id, n), eq(contactImports.workspaceId, p.workspaceId)));
  if (!row) throw new QunfaError('NOT_FOUND', `import ${id} not found`, { details: { importId: id } });
  return { ...row, progress: live.get(row.id) ?? null };
}

/** The error report as CSV (row, field, reason), UTF-8 with a BOM so Excel opens it right. */
export function errorReportCsv(errors: RowError[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFFrow,field,reason\n${errors.map((e) => `${e.row},${cell(e.field)},${cell(e.reason)}`).join('\n')}\n`;
}
