/**
 * A reader–writer gate over the batches one process sends: ordinary batches share it; a
 * batch that has crashed a worker before (claimed more than once) holds it alone, so if it
 * crashes the process again it takes no innocent batch down with it.
 */
export interface Quarantine {
  /** Resolves with the release function once the batch may run. */
  acquire(alone: boolean): Promise<() => void>;
}

export function createQuarantine(): Quarantine {
  let shared = 0;
  let exclusive = false;
  const waiting: (() => void)[] = [];
  const wake = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  const wait = () => new Promise<void>((resolve) => waiting.push(resolve));
  return {
    async acquire(alone) {
      if (alone) {
        while (exclusive || shared > 0) await wait();
        exclusive = true;
      } else {
        while (exclusive) await wait();
        shared++;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (alone) exclusive = false;
        else shared--;
        wake();
      };
    },
  };
}
