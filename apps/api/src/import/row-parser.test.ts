import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapColumns } from './columns.js';
import { failedRows, parseRow, parseTime, parseTimeByDate } from './row-parser.js';

const targets = mapColumns(['手机', '邮箱', '最近活跃', '标签', '姓名'], {});

describe('parseRow', () => {
  it('reports every bad field of a row, not only the first', () => {
    const parsed = parseRow(
      7,
      ['1380013800x', 'not-an-email', 'yesterday', 'x'.repeat(65), 'a\u0000b'],
      targets,
    );
    expect(Array.isArray(parsed)).toBe(true);
    expect((parsed as { field: string }[]).map((e) => e.field)).toEqual([
      'phone',
      'email',
      'lastActiveAt',
      'tags',
      'name',
    ]);
    expect(failedRows(parsed as never)).toBe(1);
  });

  it('says a row has no identity only when no identity was given at all', () => {
    expect(parseRow(2, ['', '', '', '', '甲'], targets)).toEqual([
      {
        row: 2,
        field: '(identities)',
        reason: 'no phone, e-mail or WeChat id: the contact could not be merged or reached',
      },
    ]);
  });

  it('keeps a good row', () => {
    expect(
      parseRow(3, ['13800138000', 'a@example.com', '2026/1/5 8:00', '会员|新客', '甲'], targets),
    ).toMatchObject({
      row: 3,
      name: '甲',
      tags: ['会员', '新客'],
      lastActiveAt: '2026-01-05T00:00:00.000Z',
    });
  });
});

describe('parseTime', () => {
  it('reads a canonical UTC time without a Date exactly as through one, fields out of range included', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    // toISOString's shape, with fields past their range (Feb 30, hour 24, second 60, year 0)
    // and a character out of place now and then.
    const iso = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(13),
        two(32),
        two(25),
        two(61),
        two(61),
        fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
      )
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    const mangled = fc
      .tuple(iso, fc.nat(23), fc.constantFrom('x', ' ', '-', ':', '0', 'Z', '+'))
      .map(([v, at, c]) => v.slice(0, at) + c + v.slice(at + 1));
    fc.assert(
      fc.property(
        fc.oneof(
          iso,
          mangled,
          fc.constantFrom(
            '2024-02-29T23:59:59.999Z',
            '2023-02-29T00:00:00.000Z',
            '1900-02-29T00:00:00.000Z',
            '2000-02-29T12:00:00.000Z',
          ),
        ),
        (v) => {
          expect(parseTime(v)).toBe(parseTimeByDate(v));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
