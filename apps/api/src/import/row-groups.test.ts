import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityRows, RowGroups } from './row-groups.js';

describe('IdentityRows', () => {
  it('answers as a Map keyed by kind and value: the first row of each identity, exactly', () => {
    const kind = fc.constantFrom('phone', 'email', 'wxid', 'unionid');
    // Short values from a small alphabet: many repeats, equal hashes' neighbours, and '' too.
    const value = fc.stringMatching(/^[ab1甲\u{1F600}]{0,4}$/u);
    fc.assert(
      fc.property(fc.array(fc.tuple(kind, value), { maxLength: 300 }), (identities) => {
        const table = new IdentityRows();
        const reference = new Map<string, number>();
        for (const [row, [k, v]] of identities.entries()) {
          const key = `${k}\u0000${v}`;
          expect(table.firstOrAdd(k, v, row)).toBe(reference.get(key) ?? -1);
          if (!reference.has(key)) reference.set(key, row);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every identity past its growth (entries, slots and characters)', () => {
    const table = new IdentityRows();
    const n = 200_000;
    const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;
    // One expect per check cost seconds here: the answers are gathered first.
    const added: number[] = [];
    for (let i = 0; i < n; i++) added.push(table.firstOrAdd('phone', phone(i), i));
    expect(added.every((a) => a === -1)).toBe(true);
    const found: [number, number][] = [];
    for (let i = 0; i < n; i += 997) found.push([table.firstOrAdd('phone', phone(i), n + i), i]);
    expect(found.filter(([got, want]) => got !== want)).toEqual([]);
    expect(table.firstOrAdd('email', '+8613800000000', n)).toBe(-1);
  });
});

describe('RowGroups', () => {
  it('joins rows that share an identity, rooted at the earliest', () => {
    const groups = new RowGroups();
    const row = (r: number, ...values: string[]) => ({
      row: r,
      identities: values.map((v) => ({
        kind: v.includes('@') ? ('email' as const) : ('phone' as const),
        value: v,
      })),
    });
    expect(groups.add(row(1, 'a@x.cn'))).toBe(true);
    expect(groups.add(row(2, '+8613800000002'))).toBe(true);
    expect(groups.add(row(3, '+8613800000003', 'a@x.cn'))).toBe(false);
    expect(groups.add(row(4, '+8613800000002', '+8613800000003'))).toBe(false);
    expect(groups.add(row(5, 'b@x.cn'))).toBe(true);
    expect(groups.members().sort((a, b) => a.row - b.row)).toEqual([
      { row: 1, grp: 1 },
      { row: 2, grp: 1 },
      { row: 3, grp: 1 },
      { row: 4, grp: 1 },
    ]);
  });
});
