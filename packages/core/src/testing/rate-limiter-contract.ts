import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { PortHarness } from './port-harness.js';

const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
const day = (n: number, limit: number) => ({
  limit,
  start: t(n * 86_400_000),
  end: t((n + 1) * 86_400_000),
});
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/**
 * The `RateLimiter` contract. Handles from one harness must share their limits (separate
 * connections for a networked limiter): a limit holds for the credential as a whole, however
 * many processes use it — per-worker limits that add up past the provider's are the failure
 * this guards against. Keys are unique per test, so one harness may serve several tests.
 */
export function describeRateLimiterContract(
  name: string,
  makeHarness: () => Promise<PortHarness<RateLimiter>>,
): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let harness: PortHarness<RateLimiter>;
    let n = 0;
    const unique = (label: string) => `${label}-${process.pid}-${Date.now()}-${n++}`;
    const clients = async (count: number) => Promise.all(Array.from({ length: count }, () => harness.open()));

    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await harness.close();
    });

    it('grants a burst, then refills at the rate, per key', async () => {
      const limiter = await harness.open();
      const [k, other] = [unique('k'), unique('other')];
      const rate = { perSecond: 2, burst: 4 };
      expect(await limiter.take(k, 5, rate, t(0))).toEqual({ granted: 4, retryAfterMs: 500 });
      expect(await limiter.take(k, 1, rate, t(250))).toEqual({ granted: 0, retryAfterMs: 250 });
      expect(await limiter.take(k, 1, rate, t(500))).toEqual({ granted: 1, retryAfterMs: 0 });
      expect(await limiter.take(other, 1, rate, t(500))).toEqual({ granted: 1, retryAfterMs: 0 });
      expect((await limiter.take(k, 10, rate, t(60_000))).granted).toBe(4);
    });

    it('mints no tokens for a caller whose clock lags', async () => {
      const limiter = await harness.open();
      const k = unique('skew');
      const rate = { perSecond: 10, burst: 10 };
      expect((await limiter.take(k, 10, rate, t(10_000))).granted).toBe(10);
      expect((await limiter.take(k, 10, rate, t(5_000))).granted).toBe(0);
      expect((await limiter.take(k, 10, rate, t(10_500))).granted).toBe(5);
    });

    it('reserves tokens ahead within the horizon, hands them to their holder when due, and turns callers past it away at successive times', async () => {
      const limiter = await harness.open();
      expect(limiter.reserve).toBeDefined();
      const k = unique('reserve');
      const rate = { perSecond: 2, burst: 4 };
      const reserve = (holder: string, ms: number) => limiter.reserve!(k, holder, 4, rate, t(ms), 3000);
      expect(await reserve('b1', 0)).toEqual({ reserved: true, waitMs: 0 });
      // Short by 4 tokens: they will be there in 2 s, within the horizon — taken now, the bucket in debt.
      expect(await reserve('b2', 0)).toEqual({ reserved: true, waitMs: 2000 });
      // 4 s away: past the horizon, nothing taken; each caller is told a later time than the last.
      expect(await reserve('b3', 0)).toEqual({ reserved: false, waitMs: 3000 });
      expect(await reserve('b4', 0)).toEqual({ reserved: false, waitMs: 5000 });
      // The holder asking again is told what is left of its wait, then handed its tokens.
      expect(await reserve('b2', 1000)).toEqual({ reserved: true, waitMs: 1000 });
      expect(await reserve('b2', 2000)).toEqual({ reserved: true, waitMs: 0 });
      // The debt holds against a plain take as well.
      expect(await limiter.take(k, 1, rate, t(2000))).toEqual({ granted: 0, retryAfterMs: 500 });
      // b3 back at its time: its tokens are within the horizon now.
      expect(await reserve('b3', 3000)).toEqual({ reserved: true, waitMs: 1000 });
    });

    it('shares reservations between clients: concurrent callers reserve no more than the burst and the horizon’s tokens', async () => {
      const limiters = await clients(6);
      const k = unique('shared-reserve');
      const rate = { perSecond: 2, burst: 4 };
      const answers = await Promise.all(
        limiters.flatMap((l, i) =>
          Array.from({ length: 3 }, (_, j) => l.reserve!(k, `b${i}-${j}`, 2, rate, t(0), 3000)),
        ),
      );
      const reserved = answers.filter((a) => a.reserved);
      expect(reserved.length * 2).toBe(rate.burst + 2 * 3);
      const turnedAway = answers.filter((a) => !a.reserved).map((a) => a.waitMs);
      expect(new Set(turnedAway).size).toBe(turnedAway.length);
    });

    it('consumes and refunds a quota per window, never below zero', async () => {
      const limiter = await harness.open();
      const k = unique('q');
      expect(await limiter.consumeQuota(k, 3, day(0, 5))).toEqual({ granted: 3, remaining: 2 });
      expect(await limiter.consumeQuota(k, 3, day(0, 5))).toEqual({ granted: 2, remaining: 0 });
      await limiter.refundQuota(k, 2, day(0, 5));
      expect(await limiter.consumeQuota(k, 1, day(0, 5))).toEqual({ granted: 1, remaining: 1 });
      expect(await limiter.consumeQuota(k, 5, day(1, 5))).toEqual({ granted: 5, remaining: 0 });
      await limiter.refundQuota(k, 100, day(0, 5));
      expect(await limiter.consumeQuota(k, 9, day(0, 5))).toEqual({ granted: 5, remaining: 0 });
    });

    it('shares a bucket between clients: N concurrent clients never take more than it holds', async () => {
      const limiters = await clients(6);
      const k = unique('shared-bucket');
      const rate = { perSecond: 50, burst: 120 };
      // Everyone asks at the same instant: the burst is all there is, however the calls interleave.
      const grants = await Promise.all(
        limiters.flatMap((l) => Array.from({ length: 20 }, () => l.take(k, 3, rate, t(0)))),
      );
      expect(sum(grants.map((g) => g.granted))).toBe(120);
      const later = await Promise.all(limiters.map((l) => l.take(k, 100, rate, t(1000))));
      expect(sum(later.map((g) => g.granted))).toBe(50);
    });

    it('keeps N clients on the real clock within burst plus rate × elapsed, combined', async () => {
      const limiters = await clients(4);
      const k = unique('paced');
      const rate = { perSecond: 200, burst: 20 };
      const started = Date.now();
      let granted = 0;
      await Promise.all(
        limiters.map(async (l) => {
          while (Date.now() - started < 600) {
            const g = await l.take(k, 5, rate, new Date());
            granted += g.granted;
            if (g.granted < 5) await new Promise((r) => setTimeout(r, Math.max(1, g.retryAfterMs)));
          }
        }),
      );
      const elapsed = (Date.now() - started) / 1000;
      expect(granted).toBeLessThanOrEqual(rate.burst + Math.ceil(rate.perSecond * elapsed));
      expect(granted).toBeGreaterThan(rate.perSecond * 0.3);
    });

    it('shares a quota between clients: N concurrent clients never exceed the limit', async () => {
      const limiters = await clients(6);
      const k = unique('shared-quota');
      const window = day(0, 1000);
      const grants = await Promise.all(
        limiters.flatMap((l) => Array.from({ length: 40 }, () => l.consumeQuota(k, 7, window))),
      );
      expect(sum(grants.map((g) => g.granted))).toBe(1000);
      expect(Math.min(...grants.map((g) => g.remaining))).toBe(0);
      await Promise.all(limiters.map((l) => l.refundQuota(k, 10, window)));
      const again = await Promise.all(limiters.map((l) => l.consumeQuota(k, 100, window)));
      expect(sum(again.map((g) => g.granted))).toBe(60);
    });
  });
}
