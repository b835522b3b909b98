import type { Actor } from '@qunfa/core';
import { and, asc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { approvals, reviews } from '../db/schema/index.js';
import { type ApprovedVersion, approvedVersionOf } from './approved-version.js';
import type { ServiceDeps } from './deps.js';

export type ReviewRow = typeof reviews.$inferSelect;

export interface ReviewStep {
  name: string;
  /** The campaign's author may not approve it (separation of duties). */
  separated: boolean;
  status: 'approved' | 'rejected' | 'pending';
  approverKeyId: string | null;
  comment: string | null;
  at: Date | null;
}

/** A campaign's current review round, as the API shows it. */
export interface Review {
  round: number;
  status: string;
  reasons: string[];
  steps: ReviewStep[];
  submittedAt: Date;
  /** The version the last approved round approved; null before the first approval. */
  lastApproved: ApprovedVersion | null;
}

export const actorOf = (p: Principal): Actor => ({ kind: 'api_key', id: String(p.keyId) });

export async function reviewRow(db: Db, campaignId: string): Promise<ReviewRow | undefined> {
  const [row] = await db
    .select()
    .from(reviews)
    .where(eq(reviews.campaignId, Number(campaignId)));
  return row;
}

/** The round's steps with each one's decision. */
export async function loadReview(db: Db, campaignId: string): Promise<Review | null> {
  const row = await reviewRow(db, campaignId);
  if (!row) return null;
  const decisions = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.campaignId, Number(campaignId)), eq(approvals.round, row.round)))
    .orderBy(asc(approvals.id));
  return {
    round: row.round,
    status: row.status,
    reasons: row.reasons,
    submittedAt: row.submittedAt,
    lastApproved: approvedVersionOf(row),
    steps: row.steps.map((name) => {
      const d = decisions.find((x) => x.step === name);
      return {
        name,
        separated: row.separatedSteps.includes(name),
        status: (d?.decision as ReviewStep['status'] | undefined) ?? 'pending',
        approverKeyId: d?.approverKeyId != null ? String(d.approverKeyId) : null,
        comment: d?.comment ?? null,
        at: d?.createdAt ?? null,
      };
    }),
  };
}

/** Tells review-queue subscribers, in every process, that the workspace's queue changed. */
export async function publishReview(deps: ServiceDeps, workspaceId: string, campaignId: string) {
  await deps.bus
    .publish('compliance.review', workspaceId, {
      workspaceId,
      campaignId,
      at: deps.clock.now().toISOString(),
    })
    .catch((error: unknown) =>
      deps.logger.warn('a review event was not published', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
}
