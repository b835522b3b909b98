import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DiffSegment, textDiff } from './text-diff.js';

const side = (segments: DiffSegment[], skip: DiffSegment['kind']) =>
  segments
    .filter((s) => s.kind !== skip)
    .map((s) => s.text)
    .join('');

describe('textDiff', () => {
  it('marks what a Chinese edit removed and added, keeping the rest', () => {
    expect(textDiff('会员专享全网最低价', '会员日见')).toEqual([
      { kind: 'same', text: '会员' },
      { kind: 'removed', text: '专享全网最低价' },
      { kind: 'added', text: '日见' },
    ]);
    expect(textDiff('双十一 5 折', '双十一 6 折，限时')).toEqual([
      { kind: 'same', text: '双十一 ' },
      { kind: 'removed', text: '5' },
      { kind: 'added', text: '6' },
      { kind: 'same', text: ' 折' },
      { kind: 'added', text: '，限时' },
    ]);
    expect(textDiff('same', 'same')).toEqual([{ kind: 'same', text: 'same' }]);
    expect(textDiff('', '')).toEqual([]);
  });

  it('keeps astral characters whole', () => {
    expect(textDiff('🎉 开业', '🎁 开业')).toEqual([
      { kind: 'removed', text: '🎉' },
      { kind: 'added', text: '🎁' },
      { kind: 'same', text: ' 开业' },
    ]);
  });

  it('reads as the old text without the additions and as the new one without the removals', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (before, after) => {
        const segments = textDiff(before, after);
        expect(side(segments, 'added')).toBe(before);
        expect(side(segments, 'removed')).toBe(after);
        // Neighbours never share a kind.
        for (let i = 1; i < segments.length; i++) expect(segments[i]!.kind).not.toBe(segments[i - 1]!.kind);
      }),
    );
  });
});
