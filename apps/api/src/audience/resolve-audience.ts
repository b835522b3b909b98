import {
  type AttributePredicate,
  type AudienceExpression,
  audienceAsksForGroups,
  DAY_MS,
  DORMANT_AFTER_DAYS,
  type GroupFilter,
  marketingSuppressions,
  type RecordedSuppressionReason,
  type SuppressionReason,
} from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { attributeSql, groupSql } from '../store/audience-sql.js';
import { audienceIndexesFor } from './audience-indexes.js';
import {
  andInto,
  andNotInto,
  type Bitset,
  count,
  countAnd,
  firstPositions,
  type SetSource,
} from './bitset.js';
import { evaluateIndex, inactiveAmong } from './evaluate-index.js';
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

function groupFilters(e: AudienceExpression): GroupFilter[] {
  if ('groups' in e) return [e.groups];
  if ('and' in e) return e.and.flatMap(groupFilters);
  if ('or' in e) return e.or.flatMap(groupFilters);
  if ('not' in e) return groupFilters(e.not);
  return [];
}

/** The positions of the contacts a predicate over `contacts c` selects, read in SQL. */
async function sqlSet(db: Db, workspaceId: number, index: WorkspaceIndex, predicate: SQL): Promise<Bitset> {
  const found = await rows<{ id: number | string }>(
    db,
    sql`SELECT c.id FROM contacts c WHERE c.workspace_id = ${workspaceId}::bigint AND ${predicate}`,
  );
  const out = index.empty();
  for (const r of found) {
    const pos = index.positionOf(Number(r.id));
    if (pos !== undefined) out[pos >>> 5]! |= 1 << (pos & 31);
  }
  return out;
}

/**
 * Attribute predicates and group filters run in SQL (custom attributes and relations are not
 * kept in memory): a statement each, none for an expression without them.
 */
async function sqlSets(db: Db, workspaceId: number, index: WorkspaceIndex, e: AudienceExpression) {
  const sets = new Map<string, Bitset>();
  for (const p of attributePredicates(e)) {
    const key = JSON.stringify(p);
    if (!sets.has(key)) sets.set(key, await sqlSet(db, workspaceId, index, attributeSql(p)));
  }
  for (const f of groupFilters(e)) {
    const key = JSON.stringify({ groups: f });
    if (!sets.has(key)) sets.set(key, await sqlSet(db, workspaceId, index, groupSql(f)));
  }
  return sets;
}

/** The positions an expression selects, given its SQL-read sets (`sqlSets`); synchronous. */
function match(
  index: WorkspaceIndex,
  expression: AudienceExpression,
  asOf: Date,
  found: Map<string, Bitset>,
  sets: SetSource,
) {
  const evaluated = evaluateIndex(index, expression, {
    asOf,
    tagsUnder: (id) => index.tagsUnder(id),
    attribute: (p) => found.get(JSON.stringify(p)) ?? index.empty(),
    groups: (f) => found.get(JSON.stringify({ groups: f })) ?? index.empty(),
    sets,
  });
  // A group audience selects only groups (even through `not`), a person audience only persons.
  const asksForGroups = audienceAsksForGroups(expression);
  const matched = asksForGroups ? andInto(evaluated, index.groups) : andNotInto(evaluated, index.groups);
  return { matched, asksForGroups };
}

/**
 * The positions an expression selects in the workspace's index, and that index: synced here,
 * or by the caller that passes it (to check the expression's tags against it first).
 */
export async function evaluateAudience(
  db: Db,
  workspaceId: number,
  expression: AudienceExpression,
  asOf: Date,
  synced?: WorkspaceIndex,
) {
  const index = synced ?? (await audienceIndexesFor(db).synced(workspaceId));
  const found = await sqlSets(db, workspaceId, index, expression);
  return { index, ...match(index, expression, asOf, found, index.fresh()) };
}

/**
 * Counts an audience exactly from the workspace's in-memory index, synced with the database
 * first (or by the caller, `options.index`), and splits off the suppressed contacts by reason (dormant too when asked).
 */
export async function resolveAudience(
  db: Db,
  workspaceId: number,
  expression: AudienceExpression,
  options: { asOf: Date; excludeDormant?: boolean; sampleSize?: number; index?: WorkspaceIndex },
): Promise<AudienceCounts> {
  const index = options.index ?? (await audienceIndexesFor(db).synced(workspaceId));
  const found = await sqlSets(db, workspaceId, index, expression);
  // From here to the end no await: the sets borrowed are handed back before another call runs.
  const sets = index.borrowSets();
  try {
    const { matched: matchedSet, asksForGroups } = match(index, expression, options.asOf, found, sets);
    const reasons: SuppressionReason[] = [
      ...marketingSuppressions,
      ...(options.excludeDormant ? ['dormant' as const] : []),
    ];
    // Counted before `remaining`, which starts as the matched set itself, is narrowed in place.
    const matched = count(matchedSet);
    const remaining = matchedSet;
    const suppressed: AudienceCounts['suppressed'] = [];
    for (const reason of reasons) {
      let held: Bitset | undefined;
      if (reason === 'dormant') {
        // Groups are never dormant (they have no activity of their own): a group audience has none.
        if (asksForGroups) continue;
        // Read only over who is left, not every contact: one scan of a million timestamps saved.
        held = inactiveAmong(index, remaining, options.asOf.getTime() - DORMANT_AFTER_DAYS * DAY_MS, sets);
      } else held = index.suppressions.get(reason as RecordedSuppressionReason);
      if (!held) continue;
      const n = countAnd(remaining, held);
      if (n > 0) suppressed.push({ reason, count: n });
      andNotInto(remaining, held);
    }
    return {
      matched,
      suppressed,
      sendable: matched - suppressed.reduce((a, s) => a + s.count, 0),
      sampleIds: firstPositions(remaining, options.sampleSize ?? 0).map((pos) => index.ids[pos]!),
    };
  } finally {
    sets.release();
  }
}
