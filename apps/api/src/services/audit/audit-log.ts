import { QunfaError } from '@qunfa/core';
import { and, desc, eq, gte, like, lt, lte, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import { auditLog } from '../../db/schema/index.js';
import type { ServiceDeps } from '../deps.js';
import { decodeCursor, keysetPage, validate } from '../validate.js';

export type AuditEntryRow = typeof auditLog.$inferSelect;

const filterInput = z
  .object({
    actorKind: z.enum(['user', 'api_key', 'worker', 'system']).nullish(),
    actorId: z.string().min(1).max(256).nullish(),
    /** An exact action (`campaign.started`), or a family with a trailing `*` (`triage.*`). */
    action: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-z0-9_.]+\*?$/, 'letters, digits, `_` and `.`, optionally ending in `*`')
      .nullish(),
    subjectType: z.string().min(1).max(64).nullish(),
    subjectId: z.string().min(1).max(64).nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'from: after to', path: ['from'] });

export type AuditFilter = z.input<typeof filterInput>;

const listInput = z.object({
  first: z.number().int().min(1).max(500).default(50),
  after: z.string().nullish(),
  filter: filterInput.nullish(),
});

function whereOf(workspaceId: number, f: z.output<typeof filterInput> | null | undefined): SQL[] {
  const where: SQL[] = [eq(auditLog.workspaceId, workspaceId)];
  if (!f) return where;
  if (f.actorKind) where.push(eq(auditLog.actorKind, f.actorKind));
  if (f.actorId) where.push(eq(auditLog.actorId, f.actorId));
  if (f.action) {
    where.push(
      f.action.endsWith('*')
        ? like(auditLog.action, `${f.action.slice(0, -1).replaceAll('_', '\\_')}%`)
        : eq(auditLog.action, f.action),
    );
  }
  if (f.subjectType) where.push(eq(auditLog.subjectType, f.subjectType));
  if (f.subjectId) where.push(eq(auditLog.subjectId, f.subjectId));
  if (f.from) where.push(gte(auditLog.at, f.from));
  if (f.to) where.push(lte(auditLog.at, f.to));
  return where;
}

/**
 * Admins: the workspace's audit log, newest first, filtered by actor, action (or action family),
 * subject and time; bad filters are INVALID_INPUT naming the field.
 */
export async function listAuditEntries(
  deps: ServiceDeps,
  principal: Principal | null,
  input: z.input<typeof listInput>,
) {
  const p = authorize(principal, 'admin');
  const data = validate(listInput, input);
  const where = whereOf(p.workspaceId, data.filter);
  const before = decodeCursor(data.after);
  if (before !== undefined) where.push(lt(auditLog.id, before));
  const found = await deps.db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(data.first + 1);
  const page = found.slice(0, data.first);
  return keysetPage(found.length, data.first, page);
}

/** Most entries one export holds; a longer range is exported in parts by time. */
export const AUDIT_EXPORT_LIMIT = 50_000;

const CSV_COLUMNS = [
  'id',
  'at',
  'actorKind',
  'actorId',
  'action',
  'subjectType',
  'subjectId',
  'details',
] as const;

/** RFC 4180 field: quoted when needed; a leading = + - @ is prefixed so spreadsheets do not run it. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Admins: the filtered audit log as one file, oldest first — CSV (RFC 4180, details as JSON) or
 * JSON Lines. More than AUDIT_EXPORT_LIMIT entries is INVALID_INPUT: narrow the time range.
 */
export async function exportAuditLog(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { filter?: AuditFilter | null; format: 'csv' | 'jsonl' },
): Promise<{ format: 'csv' | 'jsonl'; count: number; content: string }> {
  const p = authorize(principal, 'admin');
  const filter = validate(filterInput.nullish(), input.filter);
  const found = await deps.db
    .select()
    .from(auditLog)
    .where(and(...whereOf(p.workspaceId, filter)))
    .orderBy(auditLog.id)
    .limit(AUDIT_EXPORT_LIMIT + 1);
  if (found.length > AUDIT_EXPORT_LIMIT) {
    throw new QunfaError('INVALID_INPUT', `filter: more than ${AUDIT_EXPORT_LIMIT} entries; narrow from/to`, {
      details: { field: 'filter' },
    });
  }
  const records = found.map((e) => ({
    id: String(e.id),
    at: e.at.toISOString(),
    actorKind: e.actorKind,
    actorId: e.actorId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    details: e.details,
  }));
  const content =
    input.format === 'jsonl'
      ? records.map((r) => `${JSON.stringify(r)}\n`).join('')
      : [
          CSV_COLUMNS.join(','),
          ...records.map((r) =>
            CSV_COLUMNS.map((c) => csvField(c === 'details' ? JSON.stringify(r.details) : r[c])).join(','),
          ),
        ].join('\r\n') + '\r\n';
  return { format: input.format, count: records.length, content };
}
