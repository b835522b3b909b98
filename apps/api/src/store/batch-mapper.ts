import type { Batch, BatchState } from '@qunfa/core';
import type { batches } from '../db/schema/index.js';

export function toBatch(row: typeof batches.$inferSelect): Batch {
  return {
    id: String(row.id),
    workspaceId: String(row.workspaceId),
    campaignId: String(row.campaignId),
    channel: row.channel,
    account: row.account,
    seq: row.seq,
    state: row.state as BatchState,
    dueAt: row.dueAt,
    size: row.size,
    starts: row.starts,
    leaseOwner: row.leaseOwner,
    leaseUntil: row.leaseUntil,
    waitReason: row.waitReason,
  };
}
