import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from './clock.js';

describe('FakeClock', () => {
  it('wakes sleepers in time order as time advances, including sleeps they start', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const woke: [string, number][] = [];
    const stamp = (name: string) =>
      woke.push([name, clock.now().getTime() - Date.parse('2026-01-01T00:00:00Z')]);
    void clock.sleep(300).then(() => stamp('b'));
    void clock.sleep(100).then(async () => {
      stamp('a');
      await clock.sleep(100);
      stamp('a2');
    });
    await clock.advance(250);
    expect(woke).toEqual([
      ['a', 100],
      ['a2', 200],
    ]);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.250Z');
    await clock.advance(50);
    expect(woke.at(-1)).toEqual(['b', 300]);
  });

  it('rejects an aborted sleep and forgets it', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingSleepers).toBe(0);
  });
});

describe('systemClock', () => {
  it('sleeps in real time and can be aborted', async () => {
    const before = systemClock.now().getTime();
    await systemClock.sleep(5);
    expect(systemClock.now().getTime()).toBeGreaterThanOrEqual(before + 4);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });
});
