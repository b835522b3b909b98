import type { Logger } from '@qunfa/core';

export interface StopOnSignalsOptions {
  /** Stops the app: the worker drains the batches it has in flight, then connections close. */
  stop(): Promise<void>;
  /** How long the stop may take before the process exits anyway, in ms. */
  deadlineMs: number;
  logger: Logger;
  /** Default `process.exit`; tests pass their own. */
  exit?: (code: number) => void;
}

/**
 * Stops gracefully on SIGINT (Ctrl-C) and SIGTERM, then exits 0. A terminal's Ctrl-C reaches
 * every process of the group, and pnpm relays it to its child as well, so the same signal
 * arrives more than once: repeats are ignored, never the default action that would kill the
 * process mid-stop (and make pnpm report the command as failed). A stop that outlasts the
 * deadline exits 1: its batches' leases expire and another worker takes them over.
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.logger.info('stopping: finishing the batches in flight, then closing connections', {
      signal,
      deadlineMs: options.deadlineMs,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), options.deadlineMs);
      timer.unref();
    });
    Promise.race([options.stop().then(() => 'stopped' as const), deadline]).then(
      (outcome) => {
        clearTimeout(timer);
        if (outcome === 'stopped') {
          options.logger.info('stopped');
          exit(0);
        } else {
          options.logger.error(
            'the stop passed its deadline; leases of batches still in flight will expire',
            {
              deadlineMs: options.deadlineMs,
            },
          );
          exit(1);
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.logger.error('the stop failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
