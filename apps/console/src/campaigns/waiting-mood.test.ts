import { describe, expect, it } from 'vitest';
import { isMoving } from './waiting-mood.js';

const now = 1_000_000;

describe('whether a campaign is sending now', () => {
  it('is when a running campaign settled recipients within the last minute', () => {
    const samples = [
      { atMs: now - 20_000, settled: 100 },
      { atMs: now - 1_000, settled: 140 },
    ];
    expect(isMoving('RUNNING', samples, now)).toBe(true);
  });

  it('is not when the last progress is older than a minute, or nothing settled', () => {
    expect(
      isMoving(
        'RUNNING',
        [
          { atMs: now - 120_000, settled: 100 },
          { atMs: now - 90_000, settled: 140 },
        ],
        now,
      ),
    ).toBe(false);
    expect(isMoving('RUNNING', [{ atMs: now - 1_000, settled: 140 }], now)).toBe(false);
    expect(isMoving('RUNNING', [], now)).toBe(false);
  });

  it('is not for a campaign that is not running, whatever it settled', () => {
    const samples = [
      { atMs: now - 20_000, settled: 0 },
      { atMs: now - 1_000, settled: 10 },
    ];
    expect(isMoving('PAUSED', samples, now)).toBe(false);
    expect(isMoving('SCHEDULED', samples, now)).toBe(false);
  });
});
