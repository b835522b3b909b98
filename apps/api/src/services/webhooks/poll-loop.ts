import type { Logger } from '@qunfa/core';

/**
 * Runs `step` again at once while it says there is more, else after `intervalMs`; a failing
 * step is logged and tried again after the interval. `stop` wakes it and waits for the step in flight.
 */
export function pollLoop(
  step: () => Promise<boolean>,
  options: { intervalMs: number; logger: Logger; what: string },
): { stop(): Promise<void> } {
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      let more = false;
      try {
        more = await step();
      } catch (error) {
        if (running) {
          options.logger.warn(`${options.what} failed; retrying`, {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      if (more || !running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
