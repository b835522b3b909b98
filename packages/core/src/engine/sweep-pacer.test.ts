import { describe, expect, it } from 'vitest';
import { createSweepPacer } from './sweep-pacer.js';

describe('createSweepPacer', () => {
  it('lets fast sweeps run on every tick', () => {
    let t = 0;
    const pacer = createSweepPacer(() => t);
    for (let i = 0; i < 5; i++) {
      expect(pacer.due('1')).toBe(true);
      pacer.swept('1', 99);
      t += 1;
    }
  });

  it('holds a campaign whose sweep was slow for ten times its duration, then sweeps it again', () => {
    let t = 1_000;
    const pacer = createSweepPacer(() => t);
    pacer.swept('1', 200);
    expect(pacer.due('1')).toBe(false);
    expect(pacer.due('2')).toBe(true);
    t += 1_999;
    expect(pacer.due('1')).toBe(false);
    t += 1;
    expect(pacer.due('1')).toBe(true);
    pacer.swept('1', 10);
    expect(pacer.due('1')).toBe(true);
  });

  it('forgets campaigns whose pause ended when another slow sweep is recorded', () => {
    let t = 0;
    const pacer = createSweepPacer(() => t);
    pacer.swept('1', 150);
    t = 5_000;
    pacer.swept('2', 150);
    expect(pacer.due('1')).toBe(true);
    expect(pacer.due('2')).toBe(false);
  });
});
