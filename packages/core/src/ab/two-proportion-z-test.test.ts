import { describe, expect, it } from 'vitest';
import { normalCdf } from './normal-cdf.js';
import { twoProportionZTest } from './two-proportion-z-test.js';

describe('normalCdf', () => {
  it('matches published values of Φ', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 12);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 12);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-2.326348)).toBeCloseTo(0.01, 7);
    expect(normalCdf(3)).toBeCloseTo(0.9986501019683699, 12);
  });

  it('keeps its relative precision far in the tail', () => {
    // 1 − Φ(6) = 9.8658765e-10; a difference from 1 would keep no digit of it.
    expect(normalCdf(-6) / 9.865876450377012e-10).toBeCloseTo(1, 10);
  });
});

describe('twoProportionZTest (pooled, two-sided)', () => {
  it('reproduces the statsmodels proportions_ztest example: 5/83 vs 12/99, p = 0.159', () => {
    const r = twoProportionZTest({ successes: 5, trials: 83 }, { successes: 12, trials: 99 });
    expect(r?.z).toBeCloseTo(-1.4078, 4);
    expect(r?.pValue).toBeCloseTo(0.15918, 5);
  });

  it('gives the textbook 60/100 vs 45/100: z = 2.124, p = 0.0337', () => {
    const r = twoProportionZTest({ successes: 60, trials: 100 }, { successes: 45, trials: 100 });
    expect(r?.z).toBeCloseTo(2.12398, 4);
    expect(r?.pValue).toBeCloseTo(0.033672, 5);
  });

  it('is symmetric in its sides but for the sign of z', () => {
    const a = { successes: 1900, trials: 2000 };
    const b = { successes: 1800, trials: 2000 };
    const ab = twoProportionZTest(a, b)!;
    const ba = twoProportionZTest(b, a)!;
    expect(ab.z).toBeCloseTo(6.003, 3);
    expect(ba.z).toBeCloseTo(-ab.z, 12);
    expect(ab.pValue).toBeCloseTo(ba.pValue, 15);
    expect(ab.pValue / 1.937019e-9).toBeCloseTo(1, 4);
  });

  it('gives p = 1 when both rates are 0 % or 100 %, and nothing without trials', () => {
    expect(twoProportionZTest({ successes: 0, trials: 50 }, { successes: 0, trials: 80 })).toEqual({
      z: 0,
      pValue: 1,
    });
    expect(twoProportionZTest({ successes: 50, trials: 50 }, { successes: 80, trials: 80 })?.pValue).toBe(1);
    expect(twoProportionZTest({ successes: 0, trials: 0 }, { successes: 3, trials: 10 })).toBeUndefined();
  });
});
