import { type Campaign, QunfaError } from '@qunfa/core';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { findingOverrides, reviews } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import { reviewRequirement } from './approval-policies.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { evaluate, loadFindings, storeFindings } from './findings.js';
import { actorOf, publishReview } from './review-state.js';
import { conflictOr, validate } from './validate.js';

const reason = z.string().trim().min(1).max(2000);

/**
 * Before a start: stores the campaign's findings and refuses (APPROVAL_REQUIRED) a draft that
 * its policies send to review, or an approved one with a `revise` finding nobody overrode
 * (a lexicon changed since). Block findings are left to the engine, which refuses them.
 */
export async function assertStartAllowed(deps: ServiceDeps, campaign: Campaign): Promise<void> {
  if (campaign.state !== 'draft' && campaign.state !== 'approved') return;
  const evaluated = await evaluate(deps, campaign);
  await storeFindings(deps.db, campaign, evaluated.findings);
  if (evaluated.findings.some((f) => f.level === 'block')) return;
  const need = await reviewRequirement(deps.db, campaign.workspaceId, evaluated);
  if (campaign.state === 'draft' && need.required) {
    throw new QunfaError(
      'APPROVAL_REQUIRED',
      `review is required before a start: ${need.reasons.join('; ')}`,
      {
        details: { reasons: need.reasons, steps: need.steps },
      },
    );
  }
  if (campaign.state === 'approved') {
    const open = (await loadFindings(deps.db, campaign.id)).filter(
      (f) => f.level === 'revise' && !f.override,
    );
    if (open.length > 0) {
      throw new QunfaError('APPROVAL_REQUIRED', `${open.length} new revise finding(s) since the approval`, {
        details: { findings: open.map((f) => ({ key: f.key, code: f.code, message: f.message })) },
      });
    }
  }
}

/** An approver overrides a `revise` finding with a reason; a `block` finding never can be. */
export async function overrideFinding(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
  findingKey: string,
  text: string,
) {
  const p = authorize(principal, 'approve');
  const why = validate(reason, text);
  const campaign = await requireCampaign(deps.db, p, campaignId);
  if (campaign.state !== 'in_review') {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      `findings are overridden in review; this campaign is ${campaign.state}`,
      {
        details: { from: campaign.state },
      },
    );
  }
  const finding = (await loadFindings(deps.db, campaign.id)).find((f) => f.key === findingKey);
  if (!finding) throw new QunfaError('NOT_FOUND', `finding ${findingKey} not found on this campaign`);
  if (finding.level === 'block') {
    throw new QunfaError('COMPLIANCE_BLOCKED', 'a block finding can never be overridden', {
      details: { findingKey, code: finding.code },
    });
  }
  if (finding.level !== 'revise') {
    throw new QunfaError('INVALID_INPUT', 'only a revise finding needs an override', {
      details: { field: 'findingKey' },
    });
  }
  await deps.db
    .transaction(async (raw) => {
      const tx = raw as unknown as Db;
      await tx.insert(findingOverrides).values({
        workspaceId: p.workspaceId,
        campaignId: Number(campaign.id),
        findingKey,
        reason: why,
        approverKeyId: p.keyId,
      });
      await writeAudit(tx, {
        at: deps.clock.now(),
        workspaceId: p.workspaceId,
        actor: actorOf(p),
        action: 'finding.overridden',
        subjectType: 'campaign',
        subjectId: campaign.id,
        details: { findingKey, code: finding.code, rule: finding.rule, reason: why },
      });
    })
    .catch((error: unknown) => conflictOr(error, 'the finding is already overridden', { findingKey }));
  await publishReview(deps, campaign.workspaceId, campaign.id);
  return (await loadFindings(deps.db, campaign.id)).find((f) => f.key === findingKey)!;
}

/** Editing a campaign in review or approved takes it back to draft first; true when it did. */
export async function reopenForEdit(deps: ServiceDeps, p: Principal, campaign: Campaign): Promise<boolean> {
  if (campaign.state !== 'in_review' && campaign.state !== 'approved') return false;
  await deps.store.transitionCampaign({
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    from: campaign.state,
    to: 'draft',
    actor: actorOf(p),
    at: deps.clock.now(),
    reason: 'edited after review',
  });
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx
      .update(reviews)
      .set({ status: 'reopened', updatedAt: deps.clock.now() })
      .where(eq(reviews.campaignId, Number(campaign.id)));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.review_reopened',
      subjectType: 'campaign',
      subjectId: campaign.id,
      details: { from: campaign.state },
    });
  });
  return true;
}
