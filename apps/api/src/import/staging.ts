import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { ImportRow } from './row-parser.js';

/** Temporary tables of one import; dropped when its transaction ends. */
export async function createStaging(tx: Db): Promise<void> {
  await tx.execute(sql`DROP TABLE IF EXISTS qf_import_rows, qf_import_ids`);
  await tx.execute(sql`CREATE TEMP TABLE qf_import_rows (
    row int PRIMARY KEY, grp int NOT NULL, multi boolean NOT NULL DEFAULT false,
    name text, region text, province text, city text, district text, device text,
    last_active timestamptz, tag_ids bigint[] NOT NULL, attributes jsonb NOT NULL) ON COMMIT DROP`);
  await tx.execute(sql`CREATE TEMP TABLE qf_import_ids (row int NOT NULL, kind text NOT NULL, value text NOT NULL, hash text)
    ON COMMIT DROP`);
}

/**
 * Writes a batch of valid rows: one JSON parameter per table, expanded by json_to_recordset,
 * so both drivers take the same path and a batch is one round trip.
 */
export async function stageRows(
  tx: Db,
  batch: { row: ImportRow; tagIds: number[]; hashes: (string | null)[] }[],
): Promise<void> {
  if (batch.length === 0) return;
  const rowsJson = JSON.stringify(
    batch.map(({ row: r, tagIds }) => ({
      row: r.row,
      name: r.name,
      region: r.region,
      province: r.province,
      city: r.city,
      district: r.district,
      device: r.device,
      last_active: r.lastActiveAt,
      tag_ids: tagIds,
      attributes: r.attributes,
    })),
  );
  const idsJson = JSON.stringify(
    batch.flatMap(({ row: r, hashes }) =>
      r.identities.map((i, k) => ({ row: r.row, kind: i.kind, value: i.value, hash: hashes[k] ?? null })),
    ),
  );
  await tx.execute(sql`INSERT INTO qf_import_rows (row, grp, name, region, province, city, district, device, last_active, tag_ids, attributes)
    SELECT row, row, name, region, province, city, district, device, last_active, tag_ids, attributes
    FROM json_to_recordset(${rowsJson}::json) AS r(row int, name text, region text, province text, city text,
      district text, device text, last_active timestamptz, tag_ids bigint[], attributes jsonb)`);
  await tx.execute(sql`INSERT INTO qf_import_ids (row, kind, value, hash)
    SELECT row, kind, value, hash FROM json_to_recordset(${idsJson}::json) AS r(row int, kind text, value text, hash text)`);
}

/** Rows that share an identity with an earlier row join its group (their root row). */
export async function stageGroups(tx: Db, groups: { row: number; grp: number }[]): Promise<void> {
  for (let i = 0; i < groups.length; i += 10_000) {
    const json = JSON.stringify(groups.slice(i, i + 10_000));
    await tx.execute(sql`UPDATE qf_import_rows r SET grp = g.grp, multi = true
      FROM json_to_recordset(${json}::json) AS g(row int, grp int) WHERE r.row = g.row`);
  }
}
