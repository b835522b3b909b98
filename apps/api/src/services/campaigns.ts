import { type Campaign, QunfaError } from '@qunfa/core';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { campaigns } from '../db/schema/index.js';
import { loadCampaign, withVariants } from '../store/campaign-mapper.js';
import { checkEscalationReceipts } from './campaign-plan-checks.js';
import type { ServiceDeps } from './deps.js';
import { assertStartAllowed } from './review-gate.js';
import { actorOf } from './review-state.js';
import { assertTagJobsMatch } from './tag-jobs.js';
import { parseId, validate } from './validate.js';

/*
 * Reading campaigns and running their life cycle (start, pause, resume, cancel, triggered
 * runs). Creating and editing them is in campaign-edits.ts.
 */

export async function requireCampaign(db: Db, p: Principal, id: string): Promise<Campaign> {
  const n = parseId(id);
  const campaign = n === undefined ? undefined : await loadCampaign(db, n);
  if (!campaign || campaign.workspaceId !== String(p.workspaceId)) {
    throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${id} not found`);
  }
  return campaign;
}

export async function getCampaign(deps: ServiceDeps, principal: Principal | null, id: string) {
  return requireCampaign(deps.db, authorize(principal, 'read'), id);
}

/** A run of a started template for an API call; the same idempotency key returns the same run. */
export async function triggerCampaign(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  idempotencyKey: string,
) {
  const p = authorize(principal, 'write');
  const key = validate(z.string().trim().min(1).max(200), idempotencyKey);
  const template = await requireCampaign(deps.db, p, id);
  return deps.engine.trigger({
    workspaceId: template.workspaceId,
    campaignId: template.id,
    actor: actorOf(p),
    idempotencyKey: key,
  });
}

/** A template's runs, newest first. */
export async function listRuns(
  deps: ServiceDeps,
  principal: Principal | null,
  templateId: string,
  first: number,
) {
  const p = authorize(principal, 'read');
  const found = await deps.db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, p.workspaceId), eq(campaigns.runOfId, Number(templateId))))
    .orderBy(desc(campaigns.id))
    .limit(Math.min(Math.max(first, 1), 200));
  return withVariants(deps.db, found);
}

type Lifecycle = 'start' | 'pause' | 'resume' | 'cancel';

/** Runs a life-cycle command through the engine, scoped to the caller's workspace. */
export async function runLifecycle(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  command: Lifecycle,
) {
  const p = authorize(principal, 'write');
  const campaign = await requireCampaign(deps.db, p, id);
  const input = { workspaceId: campaign.workspaceId, campaignId: campaign.id, actor: actorOf(p) };
  if (command === 'start') {
    await assertStartAllowed(deps, campaign);
    await assertTagJobsMatch(deps, campaign);
    // A plan saved before its channel declared what it reports is refused here, not half-way.
    await checkEscalationReceipts(deps, campaign.workspaceId, campaign);
    return (await deps.engine.start(input)).campaign;
  }
  return deps.engine[command](input);
}
