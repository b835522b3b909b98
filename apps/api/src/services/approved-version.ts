import type { Campaign } from '@qunfa/core';
import type { ReviewRow } from './review-state.js';

/** What an approval covers: the campaign's content, audience, channels and schedule as approved. */
export type ApprovedFields = Pick<
  Campaign,
  | 'name'
  | 'variants'
  | 'audience'
  | 'excludeDormant'
  | 'segmentId'
  | 'channelPlan'
  | 'channelMode'
  | 'scheduledAt'
  | 'schedule'
  | 'quietHours'
  | 'batchIntervalMs'
  | 'sendWindowMs'
>;

/** The last approved version of a campaign, as the review shows it beside the version under review. */
export interface ApprovedVersion extends ApprovedFields {
  workspaceId: string;
  round: number;
  approvedAt: Date;
}

/** The snapshot stored when a round's last step approves the campaign. */
export function approvedSnapshot(c: Campaign): Record<string, unknown> {
  const fields: ApprovedFields = {
    name: c.name,
    variants: c.variants,
    audience: c.audience,
    excludeDormant: c.excludeDormant,
    segmentId: c.segmentId,
    channelPlan: c.channelPlan,
    channelMode: c.channelMode,
    scheduledAt: c.scheduledAt,
    schedule: c.schedule,
    quietHours: c.quietHours,
    batchIntervalMs: c.batchIntervalMs,
    sendWindowMs: c.sendWindowMs,
  };
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
}

/** The review row's last approved version, or null before the first approval. */
export function approvedVersionOf(row: ReviewRow): ApprovedVersion | null {
  if (!row.approvedVersion || row.approvedRound === null || !row.approvedAt) return null;
  const stored = row.approvedVersion as unknown as Omit<ApprovedFields, 'channelMode'> & {
    scheduledAt: string | null;
    channelMode?: ApprovedFields['channelMode'];
  };
  return {
    ...stored,
    // Snapshots stored before the mode was part of them approved a first-that-reaches plan: the only one then.
    channelMode: stored.channelMode ?? 'first',
    scheduledAt: stored.scheduledAt === null ? null : new Date(stored.scheduledAt),
    workspaceId: String(row.workspaceId),
    round: row.approvedRound,
    approvedAt: row.approvedAt,
  };
}
