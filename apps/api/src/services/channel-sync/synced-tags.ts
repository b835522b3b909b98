import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';

/** A provider's tag: its id there and the name shown here. */
export interface ProviderTag {
  externalId: string;
  name: string;
}

/**
 * Upserts a channel's tags into the workspace's tags, kept apart from operators' own by
 * `source` (the channel) and `external_id`: a renamed provider tag is renamed here, a name an
 * operator already uses gets the provider id appended. Returns provider id → tag id, and how many
 * tags were created or renamed.
 */
export async function storeProviderTags(
  db: Db,
  workspaceId: number,
  source: string,
  tags: readonly ProviderTag[],
): Promise<{ ids: Map<string, number>; written: number }> {
  const ids = new Map<string, number>();
  let written = 0;
  const existing = await rows<{ id: number | string; external_id: string; name: string }>(
    db,
    sql`SELECT id, external_id, name FROM tags WHERE workspace_id = ${workspaceId}::bigint AND source = ${source}`,
  );
  const byExternal = new Map(existing.map((e) => [e.external_id, e]));
  for (const tag of tags) {
    const name = tag.name.trim().slice(0, 64) || tag.externalId;
    const have = byExternal.get(tag.externalId);
    if (have) {
      ids.set(tag.externalId, Number(have.id));
      if (have.name === name) continue;
      const renamed = await rows<{ id: number | string }>(
        db,
        sql`UPDATE tags SET name = ${name} WHERE id = ${have.id}::bigint
              AND NOT EXISTS (SELECT 1 FROM tags WHERE workspace_id = ${workspaceId}::bigint AND name = ${name})
            RETURNING id`,
      );
      written += renamed.length;
      continue;
    }
    for (const candidate of [name, `${name.slice(0, 40)} (${tag.externalId.slice(0, 22)})`]) {
      const inserted = await rows<{ id: number | string }>(
        db,
        sql`INSERT INTO tags (workspace_id, name, source, external_id)
            VALUES (${workspaceId}::bigint, ${candidate}, ${source}, ${tag.externalId})
            ON CONFLICT DO NOTHING RETURNING id`,
      );
      if (inserted[0]) {
        ids.set(tag.externalId, Number(inserted[0].id));
        written++;
        break;
      }
      // Taken by a concurrent sync of the same tag: use that one.
      const raced = await rows<{ id: number | string }>(
        db,
        sql`SELECT id FROM tags WHERE workspace_id = ${workspaceId}::bigint AND source = ${source}
              AND external_id = ${tag.externalId}`,
      );
      if (raced[0]) {
        ids.set(tag.externalId, Number(raced[0].id));
        break;
      }
    }
  }
  return { ids, written };
}
