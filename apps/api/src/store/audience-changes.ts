import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';

/** Above this many contacts a change is logged as "rebuild the workspace's index". */
export const MAX_LOGGED_CONTACTS = 5000;

/**
 * Logs which contacts changed (tags, attributes, suppressions, erasure), inside the writing
 * transaction, so every audience index sees the change on its next query. `'all'` asks for
 * a rebuild (imports, bulk tagging).
 */
export async function recordAudienceChanges(
  tx: Pick<Db, 'execute'>,
  workspaceId: number,
  contactIds: readonly number[] | 'all',
): Promise<void> {
  if (contactIds !== 'all' && contactIds.length === 0) return;
  if (contactIds === 'all' || contactIds.length > MAX_LOGGED_CONTACTS) {
    await tx.execute(
      sql`INSERT INTO audience_changes (workspace_id, contact_id) VALUES (${workspaceId}::bigint, NULL)`,
    );
    return;
  }
  await tx.execute(sql`INSERT INTO audience_changes (workspace_id, contact_id)
    SELECT ${workspaceId}::bigint, unnest(${`{${contactIds.join(',')}}`}::bigint[])`);
}
