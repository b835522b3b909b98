import type { Batch } from '../domain/delivery.js';
import { QunfaError } from '../errors.js';
import type { EngineContext } from './deps.js';

/**
 * Runs a provider call while renewing the batch's lease every third of its length; the
 * call's signal aborts if the lease is lost, so that a slow call cannot outlive it unnoticed.
 */
export async function withLease<T>(
  ctx: EngineContext,
  batch: Batch,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const lease = new AbortController();
  const done = new AbortController();
  const heartbeat = (async () => {
    while (!done.signal.aborted) {
      try {
        await ctx.clock.sleep(Math.max(1, Math.floor(ctx.leaseMs / 3)), done.signal);
      } catch {
        return;
      }
      const renewed = await ctx.store
        .renewLease({ batchId: batch.id, owner: ctx.workerId, now: ctx.clock.now(), leaseMs: ctx.leaseMs })
        .catch(() => false);
      if (!renewed) {
        lease.abort(
          new QunfaError('LEASE_LOST', 'the batch lease was lost', { details: { batchId: batch.id } }),
        );
        return;
      }
    }
  })();
  try {
    return await call(lease.signal);
  } finally {
    done.abort();
    await heartbeat;
  }
}

/** Gives a claimed batch back, to be claimed again at `dueAt`, recording what it waits for. */
export async function releaseBatch(
  ctx: EngineContext,
  batch: Batch,
  dueAt: Date,
  reason: string,
): Promise<void> {
  await ctx.store.releaseBatch({ batchId: batch.id, owner: ctx.workerId, dueAt, reason });
}
