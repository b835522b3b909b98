import {
  type AttributePredicate,
  type AudienceExpression,
  DAY_MS,
  DORMANT_AFTER_DAYS,
  marketingSuppressions,
  type RecordedSuppressionReason,
  type SuppressionReason,
  tagHierarchy,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { attributeSql } from '../store/audience-sql.js';
import { audienceIndexesFor } from './audience-indexes.js';
import { and, andNot, type Bitset, count, firstPositions } from './bitset.js';
import { activeSince, evaluateIndex } from './evaluate-index.js';
import type { WorkspaceIndex } from './workspace-index.js';

export interface AudienceCounts {
  /** Contacts the expression selects. */
  matched: number;
  /** Of those, how many a campaign would skip, by the first reason that holds (in plan order). */
  suppressed: { reason: SuppressionReason; count: number }[];
  /** matched minus every suppressed one. */
  sendable: number;
  /** Ids of the first sendable contacts, by position (oldest first). */
  sampleIds: number[];
}

function attributePredicates(e: AudienceExpression): AttributePredicate[] {
  if ('attribute' in e) return [e.attribute];
  if ('and' in e) return e.and.flatMap(attributePredicates);
  if ('or' in e) return e.or.flatMap(attributePredicates);
  if ('not' in e) return attributePredicates(e.not);
  return [];
}

/** Attribute predicates run in SQL (custom attributes are not kept in memory). */
async function attributeSets(db: Db, workspaceId: number, index: WorkspaceIndex, e: AudienceExpression) {
  const sets = new Map<string, Bitset>();
  for (const p of attributePredicates(e)) {
    const key = JSON.stringify(p);
    if (sets.has(key)) continue;
    const found = await rows<{ id: number | string }>(
      db,
      sql`SELECT c.id FROM contacts c WHERE c.workspace_id = ${workspaceId}::bigint AND ${attributeSql(p)}`,
    );
    const out = index.empty();
    for (const r of found) {
      const pos = index.position.get(Number(r.id));
      if (pos !== undefined) out[pos >>> 5]! |= 1 << (pos & 31);
    }
    sets.set(key, out);
  }
  return sets;
}

/** The positions an expression selects in the workspace's synced index, and that index. */
export async function evaluateAudience(
  db: Db,
  workspaceId: number,
  expression: AudienceExpression,
  asOf: Date,
) {
  const index = await audienceIndexesFor(db).synced(workspaceId);
  const tags = await rows<{ id: number | string; parent: number | string | null }>(
    db,
    sql`SELECT id, parent_id AS parent FROM tags WHERE workspace_id = ${workspaceId}::bigint`,
  );
  const under = tagHierarchy(
    tags.map((t) => ({ id: String(t.id), parentId: t.parent === null ? null : String(t.parent) })),
  );
  const attributes = await attributeSets(db, workspaceId, index, expression);
  const matched = evaluateIndex(index, expression, {
    asOf,
    tagsUnder: (id) => [...under(String(id))].map(Number),
    attribute: (p) => attributes.get(JSON.stringify(p)) ?? index.empty(),
  });
  return { index, matched };
}

/**
 * Counts an audience exactly from the workspace's in-memory index, synced with the database
 * first, and splits off the suppressed contacts by reason (dormant too when asked).
 */
export async function resolveAudience(
  db: Db,
  workspaceId: number,
  expression: AudienceExpression,
  options: { asOf: Date; excludeDormant?: boolean; sampleSize?: number },
): Promise<AudienceCounts> {
  const { index, matched: matchedSet } = await evaluateAudience(db, workspaceId, expression, options.asOf);
  const reasons: SuppressionReason[] = [
    ...marketingSuppressions,
    ...(options.excludeDormant ? ['dormant' as const] : []),
  ];
  let remaining = matchedSet;
  const suppressed: AudienceCounts['suppressed'] = [];
  for (const reason of reasons) {
    const held =
      reason === 'dormant'
        ? dormantSet(index, options.asOf)
        : index.suppressions.get(reason as RecordedSuppressionReason);
    if (!held) continue;
    const hit = and(remaining, held);
    const n = count(hit);
    if (n > 0) suppressed.push({ reason, count: n });
    remaining = andNot(remaining, hit);
  }
  const matched = count(matchedSet);
  return {
    matched,
    suppressed,
    sendable: matched - suppressed.reduce((a, s) => a + s.count, 0),
    sampleIds: firstPositions(remaining, options.sampleSize ?? 0).map((pos) => index.ids[pos]!),
  };
}

function dormantSet(index: WorkspaceIndex, asOf: Date): Bitset {
  return andNot(index.live, activeSince(index, asOf.getTime() - DORMANT_AFTER_DAYS * DAY_MS));
}
