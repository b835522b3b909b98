import { QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import type { copyWriter } from './copy-writer.js';
import type { DirectWrite } from './read-rows.js';

/**
 * An identity another writer (not an import: those wait for each other) added while the
 * import ran, met by the unique index: the import rolled back, and can simply run again.
 */
export function identityTaken(error: unknown): QunfaError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, constraint_name: constraint } = e as { code?: unknown; constraint_name?: unknown };
    if (code === '23505' && constraint === 'contact_identities_value_idx')
      return new QunfaError(
        'CONFLICT',
        'contacts with some of these identities were added while the import ran: nothing was imported, run it again',
        { cause: e },
      );
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Contact ids for rows written straight: 10,000 at a time, in one statement. */
export async function directWrite(
  tx: Db,
  writer: ReturnType<typeof copyWriter>,
  workspaceId: number,
): Promise<DirectWrite> {
  const [seq] = await rows<{ name: string }>(
    tx,
    sql`SELECT pg_get_serial_sequence('contacts', 'id') AS name`,
  );
  return {
    workspaceId,
    reserveIds() {
      // Reserved by nextval, so other writers of contacts never get these ids; not always
      // consecutive (they may take some in between), always increasing. Queued behind the
      // COPY text sent so far: the reader asks for the next ids before it needs them.
      return writer.statement(async () => {
        const [got] = await rows<{ ids: string }>(
          tx,
          sql`SELECT array_to_string(array_agg(id ORDER BY id), ',') AS ids
              FROM (SELECT nextval(${seq!.name}::regclass) AS id FROM generate_series(1, 10000)) s`,
        );
        return got!.ids.split(',').map(Number);
      });
    },
  };
}

/**
 * Contacts written straight that a later row joined go back to staging, as the rows they
 * came from (a contact written straight holds exactly its row's values), and are deleted:
 * the merge then folds their groups as any other, first non-empty value first.
 */
export async function reopen(
  tx: Db,
  reopened: { row: number; grp: number; contact: number }[],
): Promise<void> {
  for (let i = 0; i < reopened.length; i += 10_000) {
    const json = JSON.stringify(reopened.slice(i, i + 10_000));
    await tx.execute(sql`INSERT INTO qf_import_rows (row, grp, multi, name, region, province, city, district,
        device, last_active, tag_ids, attributes, kinds, vals)
      SELECT r.row, r.grp, true, c.name, c.region, c.province, c.city, c.district, c.device, c.last_active_at,
        c.tag_ids, c.attributes,
        ARRAY(SELECT kind FROM contact_identities i WHERE i.contact_id = c.id ORDER BY i.id),
        ARRAY(SELECT value FROM contact_identities i WHERE i.contact_id = c.id ORDER BY i.id)
      FROM json_to_recordset(${json}::json) AS r(row int, grp int, contact bigint) JOIN contacts c ON c.id = r.contact`);
    await tx.execute(sql`DELETE FROM contacts c USING json_to_recordset(${json}::json) AS r(contact bigint)
      WHERE c.id = r.contact`);
  }
}
