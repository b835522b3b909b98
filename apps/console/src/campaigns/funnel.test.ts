import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countersFixture } from './campaign-fixture.js';
import { STATE_COUNTERS } from './counters-panel.js';
import { funnelOf } from './funnel.js';

describe('funnelOf', () => {
  it('counts each recipient once: a clicked one is also read, delivered and sent', () => {
    const funnel = funnelOf(
      countersFixture({ total: 10, sent: 1, delivered: 2, read: 1, clicked: 1, failed: 2, queued: 3 }),
    );
    expect(funnel.stages.map((s) => [s.stage, s.count])).toEqual([
      ['planned', 10],
      ['sent', 5],
      ['delivered', 4],
      ['read', 2],
      ['clicked', 1],
    ]);
    expect(funnel.side).toEqual({ pending: 3, failed: 2, suppressed: 0, filtered: 0, uncertain: 0 });
  });

  it('adds up for any counters: sent stage plus the side figures is the total, and it never widens', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { minLength: 12, maxLength: 12 }), (values) => {
        const byState = Object.fromEntries(STATE_COUNTERS.map((s, i) => [s, values[i]!]));
        const total = values.reduce((a, b) => a + b, 0);
        const { stages, side } = funnelOf(countersFixture({ ...byState, total }));
        const sideSum = side.pending + side.failed + side.suppressed + side.filtered + side.uncertain;
        expect(stages[1]!.count + sideSum).toBe(total);
        for (let i = 1; i < stages.length; i++)
          expect(stages[i]!.count).toBeLessThanOrEqual(stages[i - 1]!.count);
      }),
    );
  });
});
