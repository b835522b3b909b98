import { type Clock, systemClock } from '@qunfa/core';

/** The system clock moved by an offset that can change while it runs (tests jump it into and out of quiet hours). */
export interface ShiftedClock extends Clock {
  /** How far ahead of the system clock it runs, in ms (negative: behind). */
  readonly offsetMs: number;
  /** From now on, `now()` reads `at` plus the real time passed since. */
  setNow(at: Date): void;
}

/**
 * A clock `offsetMs` ahead of real time (CLOCK_OFFSET_MS): a worker or a demo run at a chosen
 * hour. Time still passes at its real rate and `sleep` waits real milliseconds, so every timer,
 * lease and back-off behaves as it would; only the instant the clock reads is moved. Everything
 * the process writes or compares takes its time from here, never from the database's `now()`.
 */
export function shiftedClock(offsetMs: number, base: Clock = systemClock): ShiftedClock {
  let offset = offsetMs;
  return {
    get offsetMs() {
      return offset;
    },
    now: () => new Date(base.now().getTime() + offset),
    sleep: (ms, signal) => base.sleep(ms, signal),
    setNow(at) {
      offset = at.getTime() - base.now().getTime();
    },
  };
}
