import { type AttributePredicate, type AudienceExpression, DAY_MS, type GroupFilter } from '@qunfa/core';
import { andInto, andNotInto, type Bitset, complementWithin, orInto, type SetSource } from './bitset.js';
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
  /** Where the evaluation's sets come from: new ones (`index.fresh()`) unless given. */
  sets?: SetSource;
}

type Column = 'province' | 'city' | 'district' | 'device';

/**
 * A leaf read from a per-contact column (region, device, last activity) rather than from a set:
 * the only leaves whose cost grows with the workspace's contacts, not its words (a scan of a
 * million codes or timestamps, ~1–2 ms each at 1M, was most of a preview's evaluation).
 */
type Scan = { column: Column; code: number } | { since: number };

/** The scans a leaf stands for (all must hold), or null when a value was never seen (none match). */
function scansOf(index: WorkspaceIndex, e: AudienceExpression, ctx: IndexEvaluation): Scan[] | null {
  if ('activeWithinDays' in e) return [{ since: ctx.asOf.getTime() - e.activeWithinDays * DAY_MS }];
  const wanted: [Column, string | undefined][] =
    'device' in e
      ? [['device', e.device]]
      : 'region' in e
        ? [
            ['province', e.region.province],
            ['city', e.region.city],
            ['district', e.region.district],
          ]
        : [];
  const out: Scan[] = [];
  for (const [column, value] of wanted) {
    if (value === undefined) continue;
    const code = index[column].lookup(value);
    if (code < 0) return null;
    out.push({ column, code });
  }
  return out;
}

/** A word of a bitset with all 32 positions held, as a `Uint32Array` reads it. */
const FULL = 0xffffffff;

const isScan = (e: AudienceExpression) => 'region' in e || 'device' in e || 'activeWithinDays' in e;

/**
 * Keeps in `out` only the positions where the scan holds (`negate`: where it does not), testing
 * only the positions `out` holds: inside an `and`, after the sets have narrowed it, that is a
 * few thousand positions instead of every contact.
 */
function keepWhere(index: WorkspaceIndex, out: Bitset, scan: Scan, negate: boolean): void {
  if ('since' in scan) {
    const last = index.lastActive;
    const since = scan.since;
    // A never-active contact holds NaN: not active since anything, so kept only when negated.
    for (let w = 0; w < out.length; w++) {
      let word = out[w]!;
      if (word === 0) continue;
      const base = w << 5;
      if (word === FULL) {
        // Every position held (a scan over all contacts): test them in turn, no bit to find.
        let kept = 0;
        for (let b = 0; b < 32; b++) if (last[base + b]! >= since !== negate) kept |= 1 << b;
        out[w] = kept;
        continue;
      }
      let kept = word;
      while (word !== 0) {
        const low = word & -word;
        if (last[base + 31 - Math.clz32(low)]! >= since === negate) kept ^= low;
        word ^= low;
      }
      out[w] = kept;
    }
    return;
  }
  const codes = index[scan.column].codes;
  const code = scan.code;
  for (let w = 0; w < out.length; w++) {
    let word = out[w]!;
    if (word === 0) continue;
    const base = w << 5;
    if (word === FULL) {
      let kept = 0;
      for (let b = 0; b < 32; b++) if ((codes[base + b] === code) !== negate) kept |= 1 << b;
      out[w] = kept;
      continue;
    }
    let kept = word;
    while (word !== 0) {
      const low = word & -word;
      if ((codes[base + 31 - Math.clz32(low)] === code) === negate) kept ^= low;
      word ^= low;
    }
    out[w] = kept;
  }
}

/** `out` ∧= the scans of a leaf (∧= ¬ them, `negate`), in place. */
function narrowByScan(
  index: WorkspaceIndex,
  out: Bitset,
  e: AudienceExpression,
  ctx: IndexEvaluation,
  negate: boolean,
): void {
  const scans = scansOf(index, e, ctx);
  if (scans === null) {
    // A value no contact has: the leaf holds nowhere, its negation everywhere.
    if (!negate) out.fill(0);
    return;
  }
  if (!negate) {
    for (const scan of scans) keepWhere(index, out, scan, false);
    return;
  }
  // ¬(a ∧ b): drop the positions where every scan holds.
  if (scans.length === 1) {
    keepWhere(index, out, scans[0]!, true);
    return;
  }
  const all = (ctx.sets ?? index.fresh()).copy(out);
  for (const scan of scans) keepWhere(index, all, scan, false);
  andNotInto(out, all);
}

/**
 * `out` ∧= the node, in place (`out` ⊆ live, the caller's own). Tags and their negations combine
 * straight from their sets; an `and` narrows by each operand (nested `and`s flattened); leaves
 * read from columns wait in `scans` until every set has narrowed `out`, then test only what is left.
 * Exact: ∧ is commutative, and `out` ⊆ live makes ∧ live ∧ ¬x the same as ∧ ¬x.
 */
function narrow(
  index: WorkspaceIndex,
  out: Bitset,
  e: AudienceExpression,
  ctx: IndexEvaluation,
  scans: { e: AudienceExpression; negate: boolean }[],
): void {
  if ('all' in e) return;
  if ('and' in e) {
    for (const x of e.and) narrow(index, out, x, ctx, scans);
    return;
  }
  if (isScan(e)) {
    scans.push({ e, negate: false });
    return;
  }
  if ('tag' in e) {
    const set = index.tags.get(Number(e.tag));
    if (set) set.andInto(out);
    else out.fill(0);
    return;
  }
  if ('not' in e) {
    const inner = e.not;
    if (isScan(inner)) scans.push({ e: inner, negate: true });
    else if ('tag' in inner) index.tags.get(Number(inner.tag))?.andNotInto(out);
    else andNotInto(out, evaluateIndex(index, inner, ctx));
    return;
  }
  andInto(out, evaluateIndex(index, e, ctx));
}

/**
 * Evaluates an expression over the index: the same semantics as `matchesAudience`'s nodes, each
 * node a bitset of positions, every result restricted to live contacts. Leaving out the group
 * contacts of an expression that does not ask for groups is the caller's (`evaluateAudience`).
 *
 * The result is the caller's own, from `ctx.sets`. An `and` narrows one set in place (`narrow`),
 * an `or` gathers its operands into one: the 6-term benchmark expression at a million contacts
 * takes 2 sets of 125 KB per evaluation (18 before the first rewrite, 7 before this one) and
 * scans its region and last activity only over the positions its tags left.
 */
export function evaluateIndex(
  index: WorkspaceIndex,
  expression: AudienceExpression,
  ctx: IndexEvaluation,
): Bitset {
  const e = expression;
  const sets = ctx.sets ?? index.fresh();
  if ('tag' in e) {
    const set = index.tags.get(Number(e.tag));
    if (!set) return sets.empty();
    const out = sets.copy(index.live);
    set.andInto(out);
    return out;
  }
  if ('tagUnder' in e) {
    const out = sets.empty();
    for (const t of ctx.tagsUnder(Number(e.tagUnder))) index.tags.get(t)?.orInto(out);
    return andInto(out, index.live);
  }
  // Attribute and group sets are shared by the caller: combined into a set of this evaluation's, never changed.
  if ('attribute' in e) return andInto(sets.copy(index.live), ctx.attribute(e.attribute));
  if ('groups' in e) return andInto(sets.copy(index.live), ctx.groups(e.groups));
  if ('or' in e) {
    const out = sets.empty();
    for (const x of e.or) {
      if ('tag' in x) index.tags.get(Number(x.tag))?.orInto(out);
      else orInto(out, evaluateIndex(index, x, ctx));
    }
    // Tags were gathered whole: held to live contacts once, at the end.
    return andInto(out, index.live);
  }
  if ('not' in e) return complementWithin(evaluateIndex(index, e.not, ctx), index.live);
  // `all`, `and` and the column leaves: live contacts, narrowed.
  const out = sets.copy(index.live);
  const scans: { e: AudienceExpression; negate: boolean }[] = [];
  narrow(index, out, e, ctx, scans);
  for (const s of scans) narrowByScan(index, out, s.e, ctx, s.negate);
  return out;
}

/** The positions of `set` last active before `since` (epoch ms) or never: a set from `sets`, `set` unchanged. */
export function inactiveAmong(index: WorkspaceIndex, set: Bitset, since: number, sets: SetSource): Bitset {
  const out = sets.copy(set);
  keepWhere(index, out, { since }, true);
  return out;
}
