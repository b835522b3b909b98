import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { ImportRow } from './row-parser.js';

/** Temporary tables of one import; dropped when its transaction ends. */
export async function createStaging(tx: Db): Promise<void> {
  await tx.execute(sql`DROP TABLE IF EXISTS qf_import_rows, qf_import_ids`);
  await tx.execute(sql`CREATE TEMP TABLE qf_import_rows (
    row int NOT NULL, grp int NOT NULL, multi boolean NOT NULL DEFAULT false,
    name text, region text, province text, city text, district text, device text,
    last_active timestamptz, tag_ids bigint[] NOT NULL, attributes jsonb NOT NULL) ON COMMIT DROP`);
  await tx.execute(sql`CREATE TEMP TABLE qf_import_ids (row int NOT NULL, kind text NOT NULL, value text NOT NULL, hash text)
    ON COMMIT DROP`);
}

/** A PostgreSQL array literal of texts (NULL for null), sent as one parameter. */
function textArray(values: (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/**
 * Writes a batch of valid rows: one array parameter per column, expanded by unnest, so both
 * drivers take the same path and a batch is two statements.
 */
export async function stageRows(
  tx: Db,
  batch: { row: ImportRow; tagIds: number[]; hashes: (string | null)[] }[],
): Promise<void> {
  if (batch.length === 0) return;
  const col = (f: (b: (typeof batch)[number]) => string | null) => sql`${textArray(batch.map(f))}::text[]`;
  await tx.execute(sql`INSERT INTO qf_import_rows (row, grp, name, region, province, city, district, device, last_active, tag_ids, attributes)
    SELECT r::int, r::int, n, re, p, ci, d, de, la::timestamptz, t::bigint[], a::jsonb
    FROM unnest(${col((b) => String(b.row.row))}, ${col((b) => b.row.name)}, ${col((b) => b.row.region)},
                ${col((b) => b.row.province)}, ${col((b) => b.row.city)}, ${col((b) => b.row.district)},
                ${col((b) => b.row.device)}, ${col((b) => b.row.lastActiveAt)}, ${col((b) => `{${b.tagIds.join(',')}}`)},
                ${col((b) => JSON.stringify(b.row.attributes))}) AS u(r, n, re, p, ci, d, de, la, t, a)`);
  const ids = batch.flatMap(({ row: r, hashes }) =>
    r.identities.map((i, k) => ({ row: r.row, ...i, hash: hashes[k] ?? null })),
  );
  await tx.execute(sql`INSERT INTO qf_import_ids (row, kind, value, hash)
    SELECT r::int, k, v, h FROM unnest(${textArray(ids.map((i) => String(i.row)))}::text[], ${textArray(ids.map((i) => i.kind))}::text[],
      ${textArray(ids.map((i) => i.value))}::text[], ${textArray(ids.map((i) => i.hash))}::text[]) AS u(r, k, v, h)`);
}

/** Rows that share an identity with an earlier row join its group (their root row). */
export async function stageGroups(tx: Db, groups: { row: number; grp: number }[]): Promise<void> {
  for (let i = 0; i < groups.length; i += 10_000) {
    const json = JSON.stringify(groups.slice(i, i + 10_000));
    await tx.execute(sql`UPDATE qf_import_rows r SET grp = g.grp, multi = true
      FROM json_to_recordset(${json}::json) AS g(row int, grp int) WHERE r.row = g.row`);
  }
}
