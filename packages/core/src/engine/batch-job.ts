import type { BatchJob } from '../ports/queue.js';
import type { BatchRef } from '../ports/store.js';

/** The queue's job for a batch the store returned. */
export const toJob = (ref: BatchRef): BatchJob => ({
  batchId: ref.id,
  campaignId: ref.campaignId,
  workspaceId: ref.workspaceId,
  dueAt: ref.dueAt,
  step: ref.step,
});
