import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { ImportRow } from './row-parser.js';

/** Temporary tables of one import; dropped when its transaction ends. */
export async function createStaging(tx: Db): Promise<void> {
  await tx.execute(sql`DROP TABLE IF EXISTS qf_import_rows, qf_import_ids`);
  // Identities travel with their row (one COPY stream per import); the merge unnests them.
  await tx.execute(sql`CREATE TEMP TABLE qf_import_rows (
    row int NOT NULL, grp int NOT NULL, multi boolean NOT NULL DEFAULT false,
    name text, region text, province text, city text, district text, device text,
    last_active timestamptz, tag_ids bigint[] NOT NULL, attributes jsonb NOT NULL,
    kinds text[] NOT NULL, vals text[] NOT NULL, hashes text[]) ON COMMIT DROP`);
}

const COLUMNS =
  'row, grp, name, region, province, city, district, device, last_active, tag_ids, attributes, kinds, vals, hashes';

/**
 * Where COPY text goes: the staging table, or — for a new contact of an import into a
 * workspace without contacts — straight into the final tables.
 */
export const TARGETS = {
  rows: `qf_import_rows (${COLUMNS})`,
  contacts:
    'contacts (id, workspace_id, name, region, province, city, district, device, last_active_at, tag_ids, attributes)',
  identities: 'contact_identities (workspace_id, contact_id, kind, value)',
} as const;
export type CopyTarget = keyof typeof TARGETS;

/** One valid row on its way to the staging table. */
export interface StagedRow {
  row: ImportRow;
  tagIds: number[];
  /** Keyed hashes of the identities, when the workspace has erased identities; else empty. */
  hashes: string[];
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format (`\N` is NULL). */
function field(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!) : value;
}

/** A PostgreSQL array literal of texts, every element quoted. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/** A new contact as a line of COPY text for `contacts`. */
export function contactLine(id: number, workspaceId: number, r: ImportRow, tagIds: number[]): string {
  return `${id}\t${workspaceId}\t${field(r.name)}\t${field(r.region)}\t${field(r.province)}\t${field(r.city)}\t${field(r.district)}\t${field(r.device)}\t${field(r.lastActiveAt)}\t{${tagIds.join(',')}}\t${field(JSON.stringify(r.attributes))}\n`;
}

/** A new contact's identities as lines of COPY text for `contact_identities`. */
export function identityLines(contactId: number, workspaceId: number, r: ImportRow): string {
  let out = '';
  for (const i of r.identities) out += `${workspaceId}\t${contactId}\t${field(i.kind)}\t${field(i.value)}\n`;
  return out;
}

/** One staging row as a line of COPY text. */
export function copyLine({ row: r, tagIds, hashes }: StagedRow): string {
  const ids = r.identities;
  return `${r.row}\t${r.row}\t${field(r.name)}\t${field(r.region)}\t${field(r.province)}\t${field(r.city)}\t${field(r.district)}\t${field(r.device)}\t${field(r.lastActiveAt)}\t{${tagIds.join(',')}}\t${field(JSON.stringify(r.attributes))}\t${field(textArray(ids.map((i) => i.kind)))}\t${field(textArray(ids.map((i) => i.value)))}\t${hashes.length === 0 ? '\\N' : field(textArray(hashes))}\n`;
}

/** Rows that share an identity with an earlier row join its group (their root row). */
export async function stageGroups(tx: Db, groups: { row: number; grp: number }[]): Promise<void> {
  for (let i = 0; i < groups.length; i += 10_000) {
    const json = JSON.stringify(groups.slice(i, i + 10_000));
    await tx.execute(sql`UPDATE qf_import_rows r SET grp = g.grp, multi = true
      FROM json_to_recordset(${json}::json) AS g(row int, grp int) WHERE r.row = g.row`);
  }
}

/** The staged identities, one row each with its row's group (after `stageGroups`). */
export async function stageIdentities(tx: Db): Promise<void> {
  await tx.execute(sql`CREATE TEMP TABLE qf_import_ids ON COMMIT DROP AS
    SELECT r.row, r.grp, u.kind, u.value, u.hash
    FROM qf_import_rows r, unnest(r.kinds, r.vals, r.hashes) AS u(kind, value, hash)`);
}
