import { createReadStream } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { resolveAudience } from '@qunfa/api/audience';
import { recordAudienceChanges } from '@qunfa/api/audience-changes';
import { audienceToSql } from '@qunfa/api/audience-sql';
import { type Db, rows } from '@qunfa/api/database';
import { runImport } from '@qunfa/api/import';
import { type AudienceExpression, DAY_MS } from '@qunfa/core';
import { sql } from 'drizzle-orm';

export interface Timings {
  p50: number;
  p99: number;
  runs: number;
}

export function percentiles(ms: number[]): Timings {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), runs: ms.length };
}

export async function time<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await f();
  return { ms: performance.now() - start, value };
}

/** The 3-term and the 6-term expression, given the benchmark's tag ids by rank. */
export function expressions(tag: (rank: number) => string): Record<'3-term' | '6-term', AudienceExpression> {
  return {
    '3-term': { and: [{ or: [{ tag: tag(0) }, { tag: tag(7) }] }, { not: { tag: tag(3) } }] },
    '6-term': {
      and: [
        { or: [{ tag: tag(1) }, { tag: tag(12) }] },
        { not: { tag: tag(5) } },
        { tag: tag(2) },
        { region: { province: '广东省' } },
        { activeWithinDays: 30 },
      ],
    },
  };
}

/** The same expressions as plain SQL joins over a contact–tag table (what we did not choose). */
export function joinSql(workspaceId: number, e: AudienceExpression, asOf: Date): ReturnType<typeof sql> {
  const has = (t: string) =>
    sql`EXISTS (SELECT 1 FROM bench_contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id = ${Number(t)}::bigint)`;
  const node = (x: AudienceExpression): ReturnType<typeof sql> => {
    if ('tag' in x) return has(x.tag);
    if ('and' in x) return sql`(${sql.join(x.and.map(node), sql` AND `)})`;
    if ('or' in x) return sql`(${sql.join(x.or.map(node), sql` OR `)})`;
    if ('not' in x) return sql`(NOT ${node(x.not)})`;
    if ('region' in x) return sql`c.province = ${x.region.province!}`;
    if ('activeWithinDays' in x)
      return sql`c.last_active_at >= ${new Date(asOf.getTime() - x.activeWithinDays * DAY_MS).toISOString()}::timestamptz`;
    throw new Error('not in the benchmark');
  };
  return sql`SELECT count(*)::int AS n FROM contacts c WHERE c.workspace_id = ${workspaceId}::bigint AND ${node(e)}`;
}

export async function importFile(db: Db, path: string, workspaceId: number, measureDatabaseCpu: boolean) {
  return time(() =>
    runImport(db, createReadStream(path, { highWaterMark: 1 << 20 }), {
      workspaceId,
      actor: { kind: 'system', id: 'bench' },
      encoding: 'auto',
      mapping: {},
      allOrNothing: false,
      measureDatabaseCpu,
    }),
  );
}

const RAW_TABLE = sql`CREATE UNLOGGED TABLE raw_import (name text, phone text, email text, tags text, province text,
  city text, district text, device text, last_active text, level text)`;

/** A raw COPY of the same file into an unlogged table: the floor an import is measured against. */
export async function rawCopyPostgres(url: string, path: string, db: Db): Promise<number> {
  await db.execute(RAW_TABLE);
  const { default: postgres } = await import('postgres');
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const { ms } = await time(async () => {
    const writable = await client`COPY raw_import FROM STDIN (FORMAT csv, HEADER true)`.writable();
    await new Promise<void>((resolve, reject) => {
      createReadStream(path).pipe(writable).on('finish', resolve).on('error', reject);
    });
  });
  await client.end();
  return ms;
}

export async function rawCopyPglite(client: PGlite, path: string, db: Db): Promise<number> {
  await db.execute(RAW_TABLE);
  const { readFile } = await import('node:fs/promises');
  const { ms } = await time(async () => {
    const blob = new Blob([new Uint8Array(await readFile(path))]);
    await client.query(`COPY raw_import FROM '/dev/blob' (FORMAT csv, HEADER true)`, [], { blob });
  });
  return ms;
}

/** Preview latency over `runs` calls, and the count it gave (the same every run). */
export async function previews(db: Db, workspaceId: number, e: AudienceExpression, runs: number, asOf: Date) {
  const ms: number[] = [];
  let matched = -1;
  for (let i = 0; i < runs; i++) {
    const r = await time(() => resolveAudience(db, workspaceId, e, { asOf, sampleSize: 10 }));
    ms.push(r.ms);
    matched = r.value.matched;
  }
  return { timings: percentiles(ms), matched };
}

export async function sqlCounts(db: Db, query: ReturnType<typeof sql>, runs: number) {
  const ms: number[] = [];
  let n = -1;
  for (let i = 0; i < runs; i++) {
    const r = await time(() => rows<{ n: number }>(db, query));
    ms.push(r.ms);
    n = r.value[0]!.n;
  }
  return { timings: percentiles(ms), n };
}

export const plannerSql = (workspaceId: number, e: AudienceExpression, asOf: Date) =>
  sql`SELECT count(*)::int AS n FROM contacts c WHERE c.workspace_id = ${workspaceId}::bigint AND ${audienceToSql(e, asOf)}`;

/** Tags one contact, then previews: how long until the count includes the change. */
export async function afterTagChange(db: Db, workspaceId: number, tagId: string, asOf: Date) {
  const [c] = await rows<{ id: number }>(
    db,
    sql`SELECT id FROM contacts WHERE workspace_id = ${workspaceId}::bigint AND NOT tag_ids @> ARRAY[${Number(tagId)}::bigint] LIMIT 1`,
  );
  const before = await resolveAudience(db, workspaceId, { tag: tagId }, { asOf });
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`UPDATE contacts SET tag_ids = array_append(tag_ids, ${Number(tagId)}::bigint) WHERE id = ${c!.id}`,
    );
    await recordAudienceChanges(tx as unknown as Db, workspaceId, [Number(c!.id)]);
  });
  const after = await time(() => resolveAudience(db, workspaceId, { tag: tagId }, { asOf }));
  return { ms: after.ms, exact: after.value.matched === before.matched + 1 };
}
