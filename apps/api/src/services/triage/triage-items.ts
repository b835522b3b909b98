import { QunfaError, replyClasses, triagePriorities, triageStatuses } from '@qunfa/core';
import { and, asc, eq, gt, inArray, isNotNull, lte, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { triageItems } from '../../db/schema/index.js';
import type { ServiceDeps } from '../deps.js';
import { decodeCursor, encodeCursor, parseId, validate } from '../validate.js';

export type TriageItemRow = typeof triageItems.$inferSelect;

/** Unanswered statuses: the deadline runs while an item is in one of these. */
export const OPEN_STATUSES = ['new', 'assigned'] as const;

/** Overdue in SQL, at `now`: a deadline passed and nobody answered. */
export const overdueAt = (now: Date): SQL =>
  and(
    inArray(triageItems.status, [...OPEN_STATUSES]),
    isNotNull(triageItems.dueAt),
    lte(triageItems.dueAt, now),
  )!;

const listInput = z.object({
  first: z.number().int().min(1).max(500).default(50),
  after: z.string().nullish(),
  status: z.array(z.enum(triageStatuses)).max(4).nullish(),
  label: z.array(z.enum(replyClasses)).max(7).nullish(),
  priority: z.array(z.enum(triagePriorities)).max(4).nullish(),
  assignee: z.string().max(128).nullish(),
  campaignId: z.string().nullish(),
  overdue: z.boolean().nullish(),
  order: z.enum(['deadline', 'arrival']).default('deadline'),
});

/** Urgent first: the priority's rank in `triagePriorities`. */
const priorityRank = sql<number>`(CASE ${triageItems.priority} ${sql.join(
  triagePriorities.map((p, i) => sql`WHEN ${p} THEN ${i}`),
  sql` `,
)} ELSE ${triagePriorities.length} END)::int`;
/** The deadline in microseconds since the epoch (PostgreSQL's precision, so a cursor compares exactly). */
const dueMicros = sql<string | null>`(extract(epoch from ${triageItems.dueAt}) * 1000000)::bigint::text`;

/** A position in the deadline order: deadline (null last), priority rank, id. */
type DeadlineKey = [due: string | null, rank: number, id: number];

function encodeDeadlineCursor(key: DeadlineKey): string {
  return Buffer.from(`d:${JSON.stringify(key)}`).toString('base64url');
}

function decodeDeadlineCursor(cursor: string): DeadlineKey {
  const text = Buffer.from(cursor, 'base64url').toString();
  try {
    const key: unknown = text.startsWith('d:') ? JSON.parse(text.slice(2)) : null;
    if (
      Array.isArray(key) &&
      key.length === 3 &&
      (key[0] === null || (typeof key[0] === 'string' && /^-?\d{1,20}$/.test(key[0]))) &&
      Number.isInteger(key[1]) &&
      Number.isInteger(key[2])
    )
      return key as DeadlineKey;
  } catch {}
  throw new QunfaError('INVALID_INPUT', 'after: not a cursor of this list', { details: { field: 'after' } });
}

/** After `key` in the order deadline ASC NULLS LAST, priority rank, id. */
function afterDeadlineKey([due, rank, id]: DeadlineKey): SQL {
  const sameDueLater = sql`(${priorityRank} > ${rank} OR (${priorityRank} = ${rank} AND ${triageItems.id} > ${id}))`;
  if (due === null) return sql`(${triageItems.dueAt} IS NULL AND ${sameDueLater})`;
  const micros = sql`(extract(epoch from ${triageItems.dueAt}) * 1000000)::bigint`;
  return sql`(${triageItems.dueAt} IS NULL OR ${micros} > ${due}::bigint OR (${micros} = ${due}::bigint AND ${sameDueLater}))`;
}

/**
 * The workspace's triage items in the order they are to be answered — earliest reply deadline
 * first (overdue ones on top), then priority — or, with `order: 'arrival'`, oldest first;
 * filtered by status, class, priority, assignee, campaign or overdue (at the service's clock).
 */
export async function listTriageItems(
  deps: ServiceDeps,
  principal: Principal | null,
  input: z.input<typeof listInput>,
) {
  const p = authorize(principal, 'read');
  const data = validate(listInput, input);
  const where: SQL[] = [eq(triageItems.workspaceId, p.workspaceId)];
  if (data.order === 'arrival') {
    const after = decodeCursor(data.after);
    if (after !== undefined) where.push(gt(triageItems.id, after));
  } else if (data.after) {
    where.push(afterDeadlineKey(decodeDeadlineCursor(data.after)));
  }
  if (data.status?.length) where.push(inArray(triageItems.status, data.status));
  if (data.label?.length) where.push(inArray(triageItems.label, data.label));
  if (data.priority?.length) where.push(inArray(triageItems.priority, data.priority));
  if (data.assignee) where.push(eq(triageItems.assignee, data.assignee));
  if (data.campaignId) where.push(eq(triageItems.campaignId, parseId(data.campaignId) ?? -1));
  const now = deps.clock.now();
  if (data.overdue === true) where.push(overdueAt(now));
  if (data.overdue === false) where.push(sql`NOT (${overdueAt(now)})`);
  const found = await deps.db
    .select({ row: triageItems, due: dueMicros, rank: priorityRank })
    .from(triageItems)
    .where(and(...where))
    .orderBy(
      ...(data.order === 'arrival'
        ? [asc(triageItems.id)]
        : [sql`${triageItems.dueAt} ASC NULLS LAST`, asc(priorityRank), asc(triageItems.id)]),
    )
    .limit(data.first + 1);
  const page = found.slice(0, data.first);
  const cursorOf = (f: (typeof found)[number]) =>
    data.order === 'arrival'
      ? encodeCursor(f.row.id)
      : encodeDeadlineCursor([f.due, Number(f.rank), Number(f.row.id)]);
  return {
    edges: page.map((f) => ({ cursor: cursorOf(f), node: f.row })),
    pageInfo: {
      hasNextPage: found.length > data.first,
      endCursor: page.length > 0 ? cursorOf(page[page.length - 1]!) : null,
    },
  };
}

/** One item of the caller's workspace; NOT_FOUND for another's or an unknown id. */
export async function getTriageItem(db: Db, workspaceId: number, id: string): Promise<TriageItemRow> {
  const parsed = parseId(id);
  const [row] =
    parsed === undefined
      ? []
      : await db
          .select()
          .from(triageItems)
          .where(and(eq(triageItems.workspaceId, workspaceId), eq(triageItems.id, parsed)));
  if (!row) throw new QunfaError('NOT_FOUND', 'no such triage item', { details: { id } });
  return row;
}

export interface TriageSummary {
  /** Items not yet answered (new or assigned). */
  open: number;
  /** Open items past their deadline. */
  overdue: number;
  byLabel: { label: string; open: number; overdue: number }[];
}

/** Open and overdue items of the workspace at the service's clock, in all and per class. */
export async function triageSummary(deps: ServiceDeps, principal: Principal | null): Promise<TriageSummary> {
  const p = authorize(principal, 'read');
  const now = deps.clock.now();
  const found = await deps.db
    .select({
      label: triageItems.label,
      open: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) FILTER (WHERE ${triageItems.dueAt} IS NOT NULL AND ${triageItems.dueAt} <= ${now.toISOString()}::timestamptz))::int`,
    })
    .from(triageItems)
    .where(and(eq(triageItems.workspaceId, p.workspaceId), inArray(triageItems.status, [...OPEN_STATUSES])))
    .groupBy(triageItems.label);
  const byLabel = replyClasses.map((label) => {
    const row = found.find((f) => f.label === label);
    return { label, open: Number(row?.open ?? 0), overdue: Number(row?.overdue ?? 0) };
  });
  return {
    open: byLabel.reduce((n, l) => n + l.open, 0),
    overdue: byLabel.reduce((n, l) => n + l.overdue, 0),
    byLabel,
  };
}
