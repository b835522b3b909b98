import { QunfaError } from '@qunfa/core';

/** The contact imports this process is running, so that a stop can drain or abort them. */
export interface ImportsInFlight {
  /** Refuses a new import once the app is stopping (`UNAVAILABLE`). */
  admit(): void;
  /** Follows an import until `done` settles; `abort` ends it (its transaction rolls back). */
  track(done: Promise<unknown>, abort: (reason: QunfaError) => void): void;
  /**
   * Refuses new imports, lets those in flight finish for up to `graceMs`, aborts the rest,
   * and resolves once every one has settled and recorded its outcome.
   */
  stop(graceMs: number): Promise<void>;
}

export function createImportsInFlight(): ImportsInFlight {
  let stopping = false;
  const running = new Map<Promise<unknown>, (reason: QunfaError) => void>();
  return {
    admit() {
      if (stopping) {
        throw new QunfaError('UNAVAILABLE', 'the server is stopping: start the import again once it is back');
      }
    },
    track(done, abort) {
      const settled = done.then(
        () => undefined,
        () => undefined,
      );
      running.set(settled, abort);
      void settled.then(() => running.delete(settled));
    },
    async stop(graceMs) {
      stopping = true;
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(running.keys()), grace]);
      clearTimeout(timer);
      const reason = new QunfaError(
        'UNAVAILABLE',
        'the server stopped before the import finished: nothing was imported, start it again',
      );
      for (const abort of running.values()) abort(reason);
      await Promise.all(running.keys());
    },
  };
}
