import { describe, expect, it } from 'vitest';
import { mapColumns } from './columns.js';
import { failedRows, parseRow } from './row-parser.js';

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
