import type { Campaign } from '@qunfa/core';
import { Repeater } from '@repeaterjs/repeater';
import { and, asc, eq } from 'drizzle-orm';
import { authorize, type Principal } from '../auth/roles.js';
import { campaigns } from '../db/schema/index.js';
import { withVariants } from '../store/campaign-mapper.js';
import type { ServiceDeps } from './deps.js';

async function queueOf(deps: ServiceDeps, workspaceId: number): Promise<Campaign[]> {
  const found = await deps.db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.state, 'in_review')))
    .orderBy(asc(campaigns.updatedAt), asc(campaigns.id));
  return withVariants(deps.db, found);
}

/** Campaigns waiting for review in the caller's workspace, longest waiting first. */
export async function reviewQueue(deps: ServiceDeps, principal: Principal | null) {
  const p = authorize(principal, 'read');
  return queueOf(deps, p.workspaceId);
}

/**
 * The review queue, live: the queue read from the database first, then again on every review
 * event of the workspace (submitted, decided, reopened), from any process.
 */
export async function reviewQueueUpdates(
  deps: ServiceDeps,
  principal: Principal | null,
): Promise<AsyncIterable<Campaign[]>> {
  const p = authorize(principal, 'read');
  return new Repeater<Campaign[]>(async (push, stop) => {
    const abort = new AbortController();
    stop.then(() => abort.abort());
    const events = deps.bus.subscribe('compliance.review', String(p.workspaceId), abort.signal);
    await push(await queueOf(deps, p.workspaceId));
    try {
      for await (const _event of events) await push(await queueOf(deps, p.workspaceId));
    } finally {
      abort.abort();
    }
    stop();
  });
}
