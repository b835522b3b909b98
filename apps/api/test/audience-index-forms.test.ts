import { type AudienceExpression, DAY_MS, matchesAudience, tagHierarchy } from '@qunfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateIndex } from '../src/audience/evaluate-index.js';
import { PositionSet } from '../src/audience/position-set.js';
import { type IndexedContact, WorkspaceIndex } from '../src/audience/workspace-index.js';

const asOf = new Date('2026-03-02T01:00:00.000Z');
/** Tags 1–8: 4 under 1, 5 under 4, 6 under 2. Contacts carry them with very different odds. */
const tags = [
  { id: '1', parentId: null },
  { id: '2', parentId: null },
  { id: '3', parentId: null },
  { id: '4', parentId: '1' },
  { id: '5', parentId: '4' },
  { id: '6', parentId: '2' },
  { id: '7', parentId: null },
  { id: '8', parentId: null },
];
/** Per tag, the chance a contact has it: from every other contact to one in two hundred. */
const odds = [0.5, 0.2, 0.06, 0.03, 0.01, 0.005, 0.12, 0.002];
const under = tagHierarchy(tags);

const contactArb = (ids: fc.Arbitrary<number>): fc.Arbitrary<IndexedContact> =>
  fc.record({
    id: ids,
    tagIds: fc
      .tuple(...odds.map(() => fc.double({ min: 0, max: 1, noNaN: true })))
      .map((draws) => draws.flatMap((d, i) => (d < odds[i]! ? [i + 1] : []))),
    province: fc.option(fc.constantFrom('浙江省', '广东省'), { nil: null }),
    city: fc.option(fc.constantFrom('杭州市', '深圳市'), { nil: null }),
    district: fc.option(fc.constantFrom('西湖区', '南山区'), { nil: null }),
    device: fc.option(fc.constantFrom('ios', 'android'), { nil: null }),
    lastActiveMs: fc.option(
      fc.integer({ min: -60, max: 0 }).map((d) => asOf.getTime() + d * DAY_MS + 1000),
      { nil: null },
    ),
    suppressions: fc.constant([]),
  });

/** A load of ascending ids, then batches of changes: re-tagged, new (some ids out of order), removed. */
const historyArb = fc.record({
  load: fc
    .integer({ min: 0, max: 1200 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => contactArb(fc.constant(10 + i * 2))))),
  batches: fc.array(
    fc.record({
      upserts: fc.uniqueArray(contactArb(fc.integer({ min: 1, max: 6000 })), {
        selector: (c) => c.id,
        maxLength: 150,
      }),
      removes: fc.array(fc.integer({ min: 1, max: 6000 }), { maxLength: 20 }),
    }),
    { maxLength: 4 },
  ),
});

const leaf: fc.Arbitrary<AudienceExpression> = fc.oneof(
  fc.constant({ all: true as const }),
  fc.constantFrom(...tags.map((t) => ({ tag: t.id }))),
  fc.constantFrom(...tags.map((t) => ({ tagUnder: t.id }))),
  fc.constantFrom('浙江省', '广东省').map((province) => ({ region: { province } })),
  fc.constantFrom('ios', 'android', 'harmonyos').map((device) => ({ device })),
  fc.integer({ min: 0, max: 60 }).map((activeWithinDays) => ({ activeWithinDays })),
);
const expressionArb: fc.Arbitrary<AudienceExpression> = fc.letrec<{ e: AudienceExpression }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('e'), { maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('e'), { maxLength: 3 }).map((or) => ({ or })),
    tie('e').map((not) => ({ not })),
  ),
})).e;

function ids(index: WorkspaceIndex, e: AudienceExpression): number[] {
  const set = evaluateIndex(index, e, {
    asOf,
    tagsUnder: (id) => [...under(String(id))].map(Number),
    attribute: () => index.empty(),
    groups: () => index.empty(),
  });
  const out: number[] = [];
  for (let pos = 0; pos < index.size; pos++)
    if ((set[pos >>> 5]! & (1 << (pos & 31))) !== 0) out.push(index.ids[pos]!);
  return out.sort((a, b) => a - b);
}

describe('the audience index gives the same answers whatever form its tag sets take', () => {
  it('dense, sparse and by density agree with the reference on random histories and expressions', () => {
    fc.assert(
      fc.property(historyArb, fc.array(expressionArb, { minLength: 1, maxLength: 8 }), (history, exprs) => {
        const forms = {
          dense: new WorkspaceIndex('dense'),
          sparse: new WorkspaceIndex('sparse'),
          auto: new WorkspaceIndex(),
        };
        const people = new Map<number, IndexedContact>();
        const all = Object.values(forms);
        for (const index of all) {
          index.upsertMany(history.load);
          index.compact();
        }
        for (const c of history.load) people.set(c.id, c);
        for (const batch of history.batches) {
          for (const index of all) {
            index.upsertMany(batch.upserts);
            for (const id of batch.removes) index.remove(id);
          }
          for (const c of batch.upserts) people.set(c.id, c);
          for (const id of batch.removes) people.delete(id);
        }
        for (const e of exprs) {
          const expected = [...people.values()]
            .filter((c) =>
              matchesAudience(
                e,
                {
                  tagIds: c.tagIds.map(String),
                  province: c.province,
                  city: c.city,
                  district: c.district,
                  device: c.device,
                  lastActiveAt: c.lastActiveMs === null ? null : new Date(c.lastActiveMs),
                },
                { asOf, tagsUnder: under },
              ),
            )
            .map((c) => c.id)
            .sort((a, b) => a - b);
          for (const index of all) expect(ids(index, e)).toEqual(expected);
        }
        for (const index of all)
          for (const id of people.keys()) expect(index.ids[index.positionOf(id)!]).toBe(id);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps a sparse tag in fewer bytes than its bitset, and a dense one as a bitset', () => {
    const index = new WorkspaceIndex();
    index.upsertMany(
      Array.from({ length: 100_000 }, (_, i) => ({
        id: i + 1,
        tagIds: [...(i % 2 === 0 ? [1] : []), ...(i % 1000 === 0 ? [2] : [])],
        province: null,
        city: null,
        district: null,
        device: null,
        lastActiveMs: null,
        suppressions: [],
      })),
    );
    index.compact();
    expect(index.tags.get(1)!.dense).toBe(true);
    expect(index.tags.get(1)!.bytes()).toBe(index.words * 4);
    expect(index.tags.get(2)!.dense).toBe(false);
    // 100 positions in two blocks of 65,536: 2 B each, and 4 B a block boundary.
    expect(index.tags.get(2)!.bytes()).toBe(100 * 2 + 3 * 4);
    // A bulk tagging of many contacts turns the sparse tag dense, and untagging them turns it back.
    const retag = (tagged: boolean) =>
      index.upsertMany(
        Array.from({ length: 50_000 }, (_, i) => ({
          id: 2 * i + 2,
          tagIds: tagged ? [2] : [],
          province: null,
          city: null,
          district: null,
          device: null,
          lastActiveMs: null,
          suppressions: [],
        })),
      );
    retag(true);
    expect(index.tags.get(2)!.dense).toBe(true);
    expect(index.tags.get(2)!.size).toBe(50_100);
    retag(false);
    expect(index.tags.get(2)!.size).toBe(100);
    expect(index.tags.get(2)!.dense).toBe(false);
  });

  it('merges adds and removes into a sparse set in any order, across blocks of 65,536', () => {
    const pos = fc.integer({ min: 0, max: 300_000 });
    const words = Math.ceil(300_001 / 32);
    fc.assert(
      fc.property(
        fc.uniqueArray(pos, { maxLength: 200 }),
        fc.array(fc.tuple(fc.array(pos, { maxLength: 50 }), fc.array(pos, { maxLength: 50 }))),
        (start, changes) => {
          const set = new PositionSet(words, 'sparse');
          const model = new Set<number>();
          const touched = new Set<number>(start);
          set.apply(
            [...start].sort((a, b) => a - b),
            [],
          );
          for (const p of start) model.add(p);
          for (const [adds, rawRemoves] of changes) {
            const removes = rawRemoves.filter((p) => !adds.includes(p));
            set.apply(adds, removes);
            for (const p of removes) model.delete(p);
            for (const p of adds) model.add(p);
            for (const p of [...adds, ...removes]) touched.add(p);
          }
          expect(set.size).toBe(model.size);
          expect([...touched].filter((p) => set.has(p)).sort((a, b) => a - b)).toEqual(
            [...model].sort((a, b) => a - b),
          );
          const held = new Uint32Array(words).fill(0xffffffff);
          set.andInto(held);
          const out: number[] = [];
          for (let p = 0; p < words * 32; p++) if ((held[p >>> 5]! & (1 << (p & 31))) !== 0) out.push(p);
          expect(out).toEqual([...model].sort((a, b) => a - b));
          // In place against any set, as an `and` node narrows by a tag or its negation.
          const other = new Uint32Array(words);
          for (let w = 0; w < words; w++) other[w] = (Math.imul(w + 1, 2654435761) ^ (w << 7)) >>> 0;
          const anded = other.slice();
          set.andInto(anded);
          const andedNot = other.slice();
          set.andNotInto(andedNot);
          const inSet = new Uint32Array(words);
          for (const p of model) inSet[p >>> 5]! |= 1 << (p & 31);
          expect(anded).toEqual(other.map((x, w) => x & inSet[w]!));
          expect(andedNot).toEqual(other.map((x, w) => x & ~inSet[w]!));
        },
      ),
      { numRuns: 100 },
    );
  });
});
