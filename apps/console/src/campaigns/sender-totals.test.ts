import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Counters } from '../graphql/types.js';
import { STATE_COUNTERS } from './counters-panel.js';
import { channelTotals, figuresOf } from './sender-totals.js';

const countersArb = fc
  .record(
    Object.fromEntries(STATE_COUNTERS.map((s) => [s, fc.nat(50)])) as Record<
      (typeof STATE_COUNTERS)[number],
      fc.Arbitrary<number>
    >,
  )
  .map((c): Counters => {
    const total = STATE_COUNTERS.reduce((sum, s) => sum + c[s], 0);
    const settled =
      c.sent +
      c.delivered +
      c.read +
      c.clicked +
      c.failed +
      c.suppressed +
      c.filtered +
      c.uncertain +
      c.awaitingConfirmation;
    return { ...c, total, settled, failedByClass: [{ failureClass: 'NETWORK', count: c.failed }] };
  });

describe('per-channel and per-account figures', () => {
  it('count each recipient once: sent + failed + pending + other = planned', () => {
    fc.assert(
      fc.property(countersArb, (c) => {
        const f = figuresOf(c);
        expect(f.sent + f.failed + f.pending + f.other).toBe(f.planned);
        expect(f.delivered).toBeLessThanOrEqual(f.sent);
      }),
    );
  });

  it('make each channel the sum of its accounts, and the channels the sum of all', () => {
    const row = fc.record({
      channel: fc.constantFrom('channel:sms', 'channel:wecom', null),
      account: fc.constantFrom('a', 'b', null),
      counters: countersArb,
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
        const totals = channelTotals(rows);
        expect(new Set(totals.map((t) => t.channel)).size).toBe(totals.length);
        for (const channel of totals) {
          const planned = channel.accounts.reduce((sum, a) => sum + a.figures.planned, 0);
          expect(channel.figures.planned).toBe(planned);
          const failed = channel.accounts.reduce((sum, a) => sum + a.figures.failed, 0);
          expect(channel.figures.failed).toBe(failed);
        }
        const all = totals.reduce((sum, t) => sum + t.figures.planned, 0);
        expect(all).toBe(rows.reduce((sum, r) => sum + r.counters.total, 0));
      }),
    );
  });
});
