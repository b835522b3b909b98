import { type Campaign, type Finding, QunfaError, transitionFor } from '@qunfa/core';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { approvals, reviews } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import { loadCampaign } from '../store/campaign-mapper.js';
import { reviewRequirement } from './approval-policies.js';
import { approvedSnapshot } from './approved-version.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { evaluate, loadFindings, storeFindings } from './findings.js';
import { actorOf, publishReview, reviewRow } from './review-state.js';
import { refuseAuthorAsApprover } from './tenancy/separation-of-duties.js';
import { validate } from './validate.js';

const comment = z.string().trim().min(1).max(2000);

function refuseBlocked(findings: Finding[]) {
  const blocking = findings.filter((f) => f.level === 'block');
  if (blocking.length > 0) {
    throw new QunfaError('COMPLIANCE_BLOCKED', `${blocking.length} finding(s) block this campaign`, {
      details: { findings: blocking },
    });
  }
}

async function transition(
  deps: ServiceDeps,
  p: Principal,
  c: Campaign,
  to: Campaign['state'],
  reason: string,
) {
  return deps.store.transitionCampaign({
    workspaceId: c.workspaceId,
    campaignId: c.id,
    from: c.state,
    to,
    actor: actorOf(p),
    at: deps.clock.now(),
    reason,
  });
}

/** Checks the campaign, stores its findings and opens a review round with the policies' steps. */
export async function submitForReview(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'write');
  const campaign = await requireCampaign(deps.db, p, id);
  transitionFor(campaign.state, 'submitForReview');
  const evaluated = await evaluate(deps, campaign);
  await storeFindings(deps.db, campaign, evaluated.findings);
  refuseBlocked(evaluated.findings);
  const need = await reviewRequirement(deps.db, campaign.workspaceId, evaluated);
  // Asked for without a policy requiring it: one voluntary step, kept from its author too.
  const steps = need.required ? need.steps : ['review'];
  const separatedSteps = need.required ? need.separatedSteps : ['review'];
  await transition(deps, p, campaign, 'in_review', 'submitted for review');
  const previous = await reviewRow(deps.db, campaign.id);
  const round = (previous?.round ?? 0) + 1;
  const now = deps.clock.now();
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const values = {
      round,
      status: 'in_review',
      steps,
      separatedSteps,
      approvedSteps: 0,
      reasons: need.reasons,
    };
    await tx
      .insert(reviews)
      .values({ campaignId: Number(campaign.id), workspaceId: p.workspaceId, ...values, submittedAt: now })
      .onConflictDoUpdate({
        target: reviews.campaignId,
        set: { ...values, submittedAt: now, updatedAt: now },
      });
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.review_requested',
      subjectType: 'campaign',
      subjectId: campaign.id,
      details: { round, steps, separatedSteps, reasons: need.reasons },
    });
  });
  await publishReview(deps, campaign.workspaceId, campaign.id);
  return (await loadCampaign(deps.db, Number(campaign.id)))!;
}

/** The review round open on a campaign in review, or CONFLICT. */
async function openReview(deps: ServiceDeps, campaign: Campaign, command: 'approve' | 'reject') {
  transitionFor(campaign.state, command);
  const review = await reviewRow(deps.db, campaign.id);
  if (review?.status !== 'in_review') {
    throw new QunfaError('CONFLICT', 'the campaign has no open review round', { details: { command } });
  }
  return review;
}

/** An approver approves the next step; the last one approves the campaign. */
export async function approveStep(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  input: { comment?: string | null; step?: string | null },
) {
  const p = authorize(principal, 'approve');
  const note = input.comment == null ? null : validate(comment, input.comment);
  const campaign = await requireCampaign(deps.db, p, id);
  const review = await openReview(deps, campaign, 'approve');
  const step = review.steps[review.approvedSteps]!;
  if (input.step != null && input.step !== step) {
    throw new QunfaError('CONFLICT', `the step to decide is "${step}", not "${input.step}"`, {
      details: { field: 'step', expected: step },
    });
  }
  if (review.separatedSteps.includes(step)) await refuseAuthorAsApprover(deps.db, p, campaign.id, step);
  const mine = await deps.db
    .select({ step: approvals.step })
    .from(approvals)
    .where(
      and(
        eq(approvals.campaignId, Number(campaign.id)),
        eq(approvals.round, review.round),
        eq(approvals.approverKeyId, p.keyId),
      ),
    );
  if (mine.length > 0) {
    throw new QunfaError('CONFLICT', `this approver already decided step "${mine[0]!.step}" of this round`, {
      details: { step: mine[0]!.step },
    });
  }
  const last = review.approvedSteps + 1 === review.steps.length;
  if (last) {
    // Content cannot change in review, but lexicons can: the last step judges today's findings.
    await storeFindings(deps.db, campaign, (await evaluate(deps, campaign)).findings);
    const found = await loadFindings(deps.db, campaign.id);
    refuseBlocked(found);
    const open = found.filter((f) => f.level === 'revise' && !f.override);
    if (open.length > 0) {
      throw new QunfaError(
        'CONFLICT',
        `${open.length} revise finding(s) need an override or a change first`,
        {
          details: { findings: open.map((f) => ({ key: f.key, code: f.code, message: f.message })) },
        },
      );
    }
  }
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const moved = await tx
      .update(reviews)
      .set({
        approvedSteps: sql`${reviews.approvedSteps} + 1`,
        status: last ? 'approved' : 'in_review',
        updatedAt: deps.clock.now(),
        // Edits reopen a review, so the campaign read above is the version this round approves.
        ...(last
          ? {
              approvedVersion: approvedSnapshot(campaign),
              approvedRound: review.round,
              approvedAt: deps.clock.now(),
            }
          : {}),
      })
      .where(
        and(
          eq(reviews.campaignId, Number(campaign.id)),
          eq(reviews.round, review.round),
          eq(reviews.approvedSteps, review.approvedSteps),
          eq(reviews.status, 'in_review'),
        ),
      )
      .returning({ id: reviews.campaignId });
    if (moved.length === 0) throw new QunfaError('CONFLICT', 'the review moved on meanwhile; reload it');
    await tx.insert(approvals).values({
      workspaceId: p.workspaceId,
      campaignId: Number(campaign.id),
      step,
      approverKeyId: p.keyId,
      decision: 'approved',
      comment: note,
      round: review.round,
    });
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.review_step_approved',
      subjectType: 'campaign',
      subjectId: campaign.id,
      details: { round: review.round, step, comment: note },
    });
  });
  if (last) await transition(deps, p, campaign, 'approved', `approved: ${review.steps.join(' → ')}`);
  await publishReview(deps, campaign.workspaceId, campaign.id);
  return (await loadCampaign(deps.db, Number(campaign.id)))!;
}

/** An approver rejects the round with a comment; the campaign goes back to draft. */
export async function rejectReview(deps: ServiceDeps, principal: Principal | null, id: string, text: string) {
  const p = authorize(principal, 'approve');
  const note = validate(comment, text);
  const campaign = await requireCampaign(deps.db, p, id);
  const review = await openReview(deps, campaign, 'reject');
  const step = review.steps[review.approvedSteps]!;
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx
      .update(reviews)
      .set({ status: 'rejected', updatedAt: deps.clock.now() })
      .where(eq(reviews.campaignId, Number(campaign.id)));
    await tx.insert(approvals).values({
      workspaceId: p.workspaceId,
      campaignId: Number(campaign.id),
      step,
      approverKeyId: p.keyId,
      decision: 'rejected',
      comment: note,
      round: review.round,
    });
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.review_rejected',
      subjectType: 'campaign',
      subjectId: campaign.id,
      details: { round: review.round, step, comment: note },
    });
  });
  await transition(deps, p, campaign, 'draft', 'rejected in review');
  await publishReview(deps, campaign.workspaceId, campaign.id);
  return (await loadCampaign(deps.db, Number(campaign.id)))!;
}
