import { type AttributePredicate, type AudienceExpression, DAY_MS, type GroupFilter } from '@qunfa/core';
import { and, andNot, type Bitset, or } from './bitset.js';
import type { WorkspaceIndex } from './workspace-index.js';

export interface IndexEvaluation {
  /** The moment `activeWithinDays` counts back from. */
  asOf: Date;
  /** The tag and every tag nested under it. */
  tagsUnder(tagId: number): number[];
  /** Positions whose contact satisfies an attribute predicate (attributes are not in memory). */
  attribute(p: AttributePredicate): Bitset;
  /** Positions of the group contacts a `{ groups }` filter selects (groups are not in memory either). */
  groups(f: GroupFilter): Bitset;
}

/** Positions of the live contacts whose coded column equals `value` (none when unseen). */
function codedEquals(
  index: WorkspaceIndex,
  column: 'province' | 'city' | 'district' | 'device',
  value: string,
) {
  const code = index[column].lookup(value);
  return code < 0 ? index.empty() : and(index.live, index[column].positionsOf(code, index.size, index.words));
}

/**
 * Evaluates an expression over the index: the same semantics as `matchesAudience`'s nodes, each
 * node a bitset of positions, every result restricted to live contacts. Leaving out the group
 * contacts of an expression that does not ask for groups is the caller's (`evaluateAudience`).
 */
export function evaluateIndex(
  index: WorkspaceIndex,
  expression: AudienceExpression,
  ctx: IndexEvaluation,
): Bitset {
  const e = expression;
  if ('all' in e) return index.live.slice();
  if ('tag' in e) return index.tags.get(Number(e.tag))?.within(index.live) ?? index.empty();
  if ('tagUnder' in e) {
    const out = index.empty();
    for (const t of ctx.tagsUnder(Number(e.tagUnder))) index.tags.get(t)?.orInto(out);
    return and(index.live, out);
  }
  if ('region' in e) {
    let out = index.live.slice();
    const { province, city, district } = e.region;
    if (province !== undefined) out = and(out, codedEquals(index, 'province', province));
    if (city !== undefined) out = and(out, codedEquals(index, 'city', city));
    if (district !== undefined) out = and(out, codedEquals(index, 'district', district));
    return out;
  }
  if ('device' in e) return codedEquals(index, 'device', e.device);
  if ('activeWithinDays' in e) {
    return and(index.live, activeSince(index, ctx.asOf.getTime() - e.activeWithinDays * DAY_MS));
  }
  if ('attribute' in e) return and(index.live, ctx.attribute(e.attribute));
  if ('groups' in e) return and(index.live, ctx.groups(e.groups));
  if ('and' in e) return e.and.reduce((acc, x) => and(acc, evaluateIndex(index, x, ctx)), index.live.slice());
  if ('or' in e) return e.or.reduce((acc, x) => or(acc, evaluateIndex(index, x, ctx)), index.empty());
  return andNot(index.live, evaluateIndex(index, e.not, ctx));
}

/** Positions last active at or after `since` (epoch ms): one tight loop, no call per contact. */
export function activeSince(index: WorkspaceIndex, since: number): Bitset {
  const out = index.empty();
  const last = index.lastActive;
  for (let pos = 0; pos < index.size; pos++) if (last[pos]! >= since) out[pos >>> 5]! |= 1 << (pos & 31);
  return out;
}
