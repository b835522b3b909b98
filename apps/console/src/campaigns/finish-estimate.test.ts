import { describe, expect, it } from 'vitest';
import { addSample, estimateFinish } from './finish-estimate.js';

const base = { finishedAtMs: null, ended: false, waitUntilMs: [], nowMs: 10_000 };

describe('estimateFinish', () => {
  it('extrapolates the pace of the last minute', () => {
    const samples = [
      { atMs: 0, settled: 0 },
      { atMs: 10_000, settled: 100 },
    ];
    expect(estimateFinish(samples, 1000, base)).toEqual({ kind: 'eta', atMs: 100_000 });
  });

  it('ignores samples older than the window', () => {
    const samples = [
      { atMs: 0, settled: 0 },
      { atMs: 100_000, settled: 900 },
      { atMs: 110_000, settled: 910 },
    ];
    // 10 recipients in 10 s: 90 left take 90 s.
    expect(estimateFinish(samples, 1000, base)).toEqual({ kind: 'eta', atMs: 200_000 });
  });

  it('says when a wait ends when nothing moves', () => {
    const samples = [{ atMs: 0, settled: 0 }];
    expect(estimateFinish(samples, 10, { ...base, waitUntilMs: [5_000, 50_000, 20_000] })).toEqual({
      kind: 'not-before',
      atMs: 20_000,
    });
    expect(estimateFinish(samples, 10, base)).toEqual({ kind: 'unknown' });
  });

  it('reports a finished campaign', () => {
    expect(estimateFinish([], 10, { ...base, ended: true, finishedAtMs: 7 })).toEqual({
      kind: 'finished',
      atMs: 7,
    });
    expect(estimateFinish([{ atMs: 3, settled: 10 }], 10, base)).toEqual({ kind: 'finished', atMs: 3 });
  });
});

describe('addSample', () => {
  it('keeps only changes, up to a bound', () => {
    let samples = addSample([], { atMs: 0, settled: 0 });
    samples = addSample(samples, { atMs: 1, settled: 0 });
    expect(samples).toHaveLength(1);
    for (let i = 1; i <= 5; i++) samples = addSample(samples, { atMs: i, settled: i }, 3);
    expect(samples.map((s) => s.settled)).toEqual([3, 4, 5]);
  });
});
