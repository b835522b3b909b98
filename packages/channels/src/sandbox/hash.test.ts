import { describe, expect, it } from 'vitest';
import { hash53, unitDraw } from './hash.js';

describe('hash53', () => {
  it('is stable across runs (pinned values)', () => {
    expect(hash53('', 0)).toBe(3338908027751811);
    expect(hash53('a', 1)).toBe(hash53('a', 1));
    expect(hash53('a', 1)).not.toBe(hash53('a', 2));
    expect(hash53('a', 1)).not.toBe(hash53('b', 1));
  });

  it('draws uniformly in [0, 1)', () => {
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = unitDraw(7, `m-${i}`);
      if (u < 0 || u >= 1) outside += 1;
      else buckets[Math.floor(u * 10)]! += 1;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it('separates its parts, so ("ab","c") and ("a","bc") differ', () => {
    expect(unitDraw(1, 'ab', 'c')).not.toBe(unitDraw(1, 'a', 'bc'));
  });
});
