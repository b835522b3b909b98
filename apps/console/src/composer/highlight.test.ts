import { describe, expect, it } from 'vitest';
import { highlightPieces } from './highlight.js';

describe('highlightPieces', () => {
  it('marks a finding’s span and keeps the text around it', () => {
    const f = { level: 'REVISE' as const, span: { start: 2, end: 6 }, code: 'AD_LAW_ABSOLUTE_TERM' };
    const pieces = highlightPieces('今天全网最低价', [f]);
    expect(pieces.map((p) => [p.text, p.findings.length])).toEqual([
      ['今天', 0],
      ['全网最低', 1],
      ['价', 0],
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe('今天全网最低价');
  });

  it('splits overlapping findings, the higher level first', () => {
    const revise = { level: 'REVISE' as const, span: { start: 0, end: 4 } };
    const block = { level: 'BLOCK' as const, span: { start: 2, end: 6 } };
    const pieces = highlightPieces('abcdefgh', [revise, block]);
    expect(pieces.map((p) => [p.text, p.findings.map((f) => f.level)])).toEqual([
      ['ab', ['REVISE']],
      ['cd', ['BLOCK', 'REVISE']],
      ['ef', ['BLOCK']],
      ['gh', []],
    ]);
  });

  it('ignores findings without a span or beyond the text', () => {
    const pieces = highlightPieces('ab', [
      { level: 'WARN' as const, span: null },
      { level: 'WARN' as const, span: { start: 5, end: 9 } },
    ]);
    expect(pieces).toEqual([{ text: 'ab', start: 0, findings: [] }]);
  });
});
