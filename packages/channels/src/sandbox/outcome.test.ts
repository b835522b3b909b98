import { type FailureClass, failureClasses, permanentFailureClasses } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { demoFailureRates } from './options.js';
import { drawFailure, drawLatency, providerMessageId } from './outcome.js';

const N = 20_000;
const rates = (partial: Partial<Record<FailureClass, number>>) =>
  ({ ...Object.fromEntries(failureClasses.map((c) => [c, 0])), ...partial }) as Record<FailureClass, number>;

function tally(rateTable: Record<FailureClass, number>, salt: (i: number) => string = () => '') {
  const counts = Object.fromEntries(failureClasses.map((c) => [c, 0])) as Record<FailureClass, number>;
  for (let i = 0; i < N; i++) {
    const failure = drawFailure({
      seed: 1,
      rates: rateTable,
      messageId: `d-${i}`,
      address: `d-${i}`,
      contentKey: 'c',
      attemptSalt: salt(i),
    });
    if (failure) counts[failure] += 1;
  }
  return counts;
}

/** Four and a half binomial standard deviations, plus one: a miss means a real bias. */
const tolerance = (p: number) => 4.5 * Math.sqrt(N * p * (1 - p)) + 1;

describe('drawFailure', () => {
  it.each([
    ['the demo preset', demoFailureRates],
    ['5 % of each class', rates(Object.fromEntries(failureClasses.map((c) => [c, 0.05])))],
    ['heavy network failures', rates({ network: 0.4, blocked_by_user: 0.1 })],
  ])('matches the configured frequencies on 20k recipients: %s', (_, table) => {
    const counts = tally(table);
    for (const c of failureClasses) {
      expect(Math.abs(counts[c] - N * table[c]), c).toBeLessThanOrEqual(tolerance(table[c]));
    }
  });

  it('keeps the frequencies when transient failures are redrawn per attempt', () => {
    const table = rates({ network: 0.1, invalid_recipient: 0.1, rate_limited: 0.05 });
    const counts = tally(table, (i) => `key-${i % 7}`);
    for (const c of failureClasses) {
      expect(Math.abs(counts[c] - N * table[c]), c).toBeLessThanOrEqual(tolerance(table[c]));
    }
  });

  it('gives no failure at rate 0 and always fails at rate 1', () => {
    expect(Object.values(tally(rates({}))).every((n) => n === 0)).toBe(true);
    expect(tally(rates({ unknown: 1 })).unknown).toBe(N);
  });

  it('is pinned for a seed: the same ids fail with the same classes on every run', () => {
    const table = rates({ network: 0.1, blocked_by_user: 0.1, rate_limited: 0.1 });
    const failed = Array.from({ length: 30 }, (_, i) => [
      i,
      drawFailure({
        seed: 1,
        rates: table,
        messageId: `d-${i}`,
        address: `d-${i}`,
        contentKey: 'c',
        attemptSalt: '',
      }),
    ]).filter(([, f]) => f);
    expect(Object.fromEntries(failed)).toEqual({
      3: 'blocked_by_user',
      5: 'network',
      6: 'rate_limited',
      9: 'network',
      15: 'network',
      16: 'blocked_by_user',
      18: 'network',
      19: 'blocked_by_user',
      20: 'network',
      21: 'network',
      22: 'blocked_by_user',
      24: 'blocked_by_user',
      29: 'network',
    });
  });

  it('keeps permanent failures across attempts and redraws transient ones', () => {
    const table = rates({ network: 0.3, invalid_recipient: 0.2 });
    let recovered = 0;
    for (let i = 0; i < 2000; i++) {
      const draw = (salt: string) =>
        drawFailure({
          seed: 3,
          rates: table,
          messageId: `d-${i}`,
          address: `d-${i}`,
          contentKey: 'c',
          attemptSalt: salt,
        });
      const first = draw('attempt-1');
      const second = draw('attempt-2');
      if (first && permanentFailureClasses.has(first)) expect(second).toBe(first);
      if (first === 'network' && second !== 'network') recovered += 1;
      expect(draw('attempt-1')).toBe(first);
    }
    expect(recovered).toBeGreaterThan(200);
  });

  it('keeps permanent outcomes per address, whatever the delivery (a resend meets the same verdict)', () => {
    const table = rates({
      network: 0.2,
      invalid_recipient: 0.1,
      blocked_by_user: 0.05,
      content_rejected: 0.05,
    });
    let permanent = 0;
    for (let i = 0; i < 2000; i++) {
      const draw = (delivery: string, contentKey = 'c') =>
        drawFailure({
          seed: 5,
          rates: table,
          messageId: delivery,
          address: `+86138${i}`,
          contentKey,
          attemptSalt: '',
        });
      const first = draw(`campaign-1-${i}`);
      const resent = draw(`campaign-2-${i}`);
      if (first && permanentFailureClasses.has(first)) {
        permanent += 1;
        expect(resent).toBe(first);
      }
      if (first === 'invalid_recipient' || first === 'blocked_by_user') {
        expect(draw(`campaign-3-${i}`, 'other text')).toBe(first);
      }
    }
    expect(permanent).toBeGreaterThan(300);
  });

  it('depends on the seed', () => {
    const table = rates({ network: 0.5 });
    const outcomes = (seed: number) =>
      Array.from({ length: 64 }, (_, i) =>
        drawFailure({
          seed,
          rates: table,
          messageId: `d-${i}`,
          address: `d-${i}`,
          contentKey: 'c',
          attemptSalt: '',
        }),
      );
    expect(outcomes(1)).toEqual(outcomes(1));
    expect(outcomes(1)).not.toEqual(outcomes(2));
  });
});

describe('drawLatency and providerMessageId', () => {
  it('draws latencies within the range, covering both ends', () => {
    const seen = new Set(
      Array.from({ length: 500 }, (_, i) => drawLatency(1, { min: 20, max: 23 }, `k-${i}`)),
    );
    expect([...seen].sort()).toEqual([20, 21, 22, 23]);
    expect(drawLatency(1, { min: 0, max: 0 }, 'k')).toBe(0);
  });

  it('makes distinct, stable provider message ids', () => {
    expect(providerMessageId(1, 'd-1', 'k', 0)).toBe(providerMessageId(1, 'd-1', 'k', 0));
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => providerMessageId(1, `d-${i}`, 'k', 0)));
    expect(ids.size).toBe(1000);
    expect(providerMessageId(1, 'd-1', 'k', 1)).not.toBe(providerMessageId(1, 'd-1', 'k', 0));
    expect(providerMessageId(1, 'd-1', 'k', 0)).toMatch(/^sbx_[0-9a-z]{22}$/);
  });
});
