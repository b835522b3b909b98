import { describe, expect, it } from 'vitest';
import { type CoalescerTimers, createProgressCoalescer } from './progress-coalescer.js';

/** Manual timers: `advance` fires what falls due. */
function manualTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: CoalescerTimers = {
    now: () => now,
    setTimeout: (callback, ms) => {
      pending.set(++next, { at: now + ms, callback });
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= now) {
        pending.delete(id);
        timer.callback();
      }
    }
  };
  return { timers, advance, pending };
}

describe('createProgressCoalescer', () => {
  it('publishes the first at once and only the latest of a burst after the interval', async () => {
    const { timers, advance } = manualTimers();
    const published: [string, number][] = [];
    const c = createProgressCoalescer<number>({ timers, publish: (k, v) => void published.push([k, v]) });
    for (let i = 1; i <= 10; i++) c.push('a', i);
    c.push('b', 100);
    await c.idle();
    expect(published).toEqual([
      ['a', 1],
      ['b', 100],
    ]);
    advance(199);
    await c.idle();
    expect(published).toHaveLength(2);
    advance(1);
    await c.idle();
    expect(published).toEqual([
      ['a', 1],
      ['b', 100],
      ['a', 10],
    ]);
  });

  it('publishes at most once per interval under a steady stream', async () => {
    const { timers, advance } = manualTimers();
    let count = 0;
    const c = createProgressCoalescer<number>({ timers, intervalMs: 200, publish: () => void count++ });
    for (let ms = 0; ms < 1000; ms += 10) {
      c.push('a', ms);
      advance(10);
    }
    await c.idle();
    expect(count).toBeLessThanOrEqual(6);
    expect(count).toBeGreaterThanOrEqual(5);
  });

  it('flushes the latest value now, cancelling the trailing timer', async () => {
    const { timers, advance, pending } = manualTimers();
    const published: number[] = [];
    const c = createProgressCoalescer<number>({ timers, publish: (_k, v) => void published.push(v) });
    c.push('a', 1);
    c.push('a', 2);
    await c.flush('a');
    expect(published).toEqual([1, 2]);
    expect(pending.size).toBe(0);
    await c.flush('a', 3);
    advance(1000);
    await c.idle();
    expect(published).toEqual([1, 2, 3]);
  });

  it('reports a failed publication and goes on', async () => {
    const errors: unknown[] = [];
    const c = createProgressCoalescer<number>({
      timers: manualTimers().timers,
      publish: (_k, v) => {
        if (v === 1) throw new Error('down');
      },
      onError: (e) => errors.push(e),
    });
    c.push('a', 1);
    await c.flush('a', 2);
    expect(errors).toHaveLength(1);
    c.close();
  });
});
