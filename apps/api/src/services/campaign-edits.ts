import {
  type AbTest,
  type AudienceExpression,
  audienceTagIds,
  type Campaign,
  type Content,
  QunfaError,
  validateAbTest,
} from '@qunfa/core';
import { and, eq, inArray, isNotNull, or } from 'drizzle-orm';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { campaigns, variants } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import { loadCampaign, withVariants } from '../store/campaign-mapper.js';
import {
  type CreateCampaignInput,
  createCampaignInput,
  mergeRetryPolicy,
  updateCampaignInput,
} from './campaign-input.js';
import {
  checkChannelContent,
  checkChannelMode,
  checkChannels,
  checkEscalationReceipts,
} from './campaign-plan-checks.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { reopenForEdit } from './review-gate.js';
import { actorOf } from './review-state.js';
import { submitForReview } from './reviews.js';
import { requireSegment } from './segment-lookup.js';
import { withTagJobs } from './tag-jobs.js';
import { requireTags } from './tags.js';
import { validate } from './validate.js';

/*
 * Writing campaigns: create, edit (a reviewed campaign goes back through review), and the
 * campaigns that follow a saved segment. Reading and life-cycle commands are in campaigns.ts.
 */
function storedContent(c: CreateCampaignInput['variants'][number]['content']): Content {
  return { type: c.type, text: c.text, ...(c.subject ? { subject: c.subject } : {}) };
}

async function insertVariants(
  tx: Db,
  workspaceId: number,
  campaignId: number,
  input: CreateCampaignInput['variants'],
): Promise<void> {
  await tx.insert(variants).values(
    input.map((v) => ({
      workspaceId,
      campaignId,
      key: v.key,
      weight: v.weight,
      content: storedContent(v.content),
      channelContent: Object.fromEntries(
        (v.channelContent ?? []).map((c) => [c.channel, storedContent(c.content)]),
      ),
    })),
  );
}

/**
 * The audience columns an input sets: a saved segment's expression, which the campaign then
 * follows until it starts; or an expression of its own, which detaches it from any segment.
 */
async function audienceColumns(
  deps: ServiceDeps,
  p: Principal,
  data: { audience?: AudienceExpression | undefined; segmentId?: string | null | undefined },
): Promise<{ audience?: AudienceExpression; segmentId?: number | null }> {
  if (data.segmentId) {
    const segment = await requireSegment(deps.db, p, data.segmentId);
    await requireTags(deps, p, audienceTagIds(segment.audience));
    return { audience: segment.audience, segmentId: segment.id };
  }
  if (data.audience === undefined) return {};
  await requireTags(deps, p, audienceTagIds(data.audience));
  return { audience: data.audience, segmentId: null };
}

export async function createCampaign(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'write');
  const data = validate(createCampaignInput, input);
  const audience = await audienceColumns(deps, p, data);
  const channelPlan = await withTagJobs(
    deps,
    p.workspaceId,
    audience.audience!,
    checkChannels(deps, data.channelPlan),
  );
  checkChannelContent(data.variants, channelPlan);
  if (data.abTest) validateAbTest(data.abTest, data.variants.length);
  checkChannelMode({ channelPlan, channelMode: data.channelMode, abTest: data.abTest ?? null });
  await checkEscalationReceipts(deps, p.workspaceId, {
    channelPlan,
    channelMode: data.channelMode,
    variants: data.variants,
  });
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .insert(campaigns)
      .values({
        workspaceId: p.workspaceId,
        createdAt: deps.clock.now(),
        updatedAt: deps.clock.now(),
        createdByKeyId: p.keyId > 0 ? p.keyId : null,
        name: data.name,
        audience: audience.audience!,
        segmentId: audience.segmentId ?? null,
        excludeDormant: data.excludeDormant,
        quietHours: data.quietHours ?? null,
        channelPlan,
        channelMode: data.channelMode,
        retryPolicy: mergeRetryPolicy(data.retryPolicy),
        scheduledAt: data.scheduledAt ?? null,
        batchIntervalMs: data.batchIntervalMs,
        sendWindowMs: data.sendWindowMs ?? null,
        schedule: data.schedule ?? null,
        abTest: data.abTest ?? null,
      })
      .returning();
    await insertVariants(tx, p.workspaceId, row!.id, data.variants);
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.created',
      subjectType: 'campaign',
      subjectId: row!.id,
      details: { name: data.name },
    });
    return (await loadCampaign(tx, row!.id))!;
  });
}

export async function updateCampaign(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  input: unknown,
) {
  const p = authorize(principal, 'write');
  const data = validate(updateCampaignInput, input);
  const existing = await requireCampaign(deps.db, p, id);
  assertEditable(existing);
  const audience = await audienceColumns(deps, p, data);
  // A new audience re-aims the plan's tag jobs too.
  const steps = data.channelPlan
    ? checkChannels(deps, data.channelPlan)
    : audience.audience
      ? existing.channelPlan
      : undefined;
  const channelPlan = steps
    ? await withTagJobs(deps, p.workspaceId, audience.audience ?? existing.audience, steps)
    : undefined;
  if (data.variants || channelPlan) {
    checkChannelContent(
      data.variants ??
        existing.variants.map((v) => ({
          channelContent: Object.keys(v.channelContent ?? {}).map((channel) => ({ channel })),
        })),
      channelPlan ?? existing.channelPlan,
    );
  }
  const abTest: AbTest | null = data.abTest === undefined ? existing.abTest : data.abTest;
  if (abTest) validateAbTest(abTest, (data.variants ?? existing.variants).length);
  checkChannelMode({
    channelPlan: channelPlan ?? existing.channelPlan,
    channelMode: data.channelMode ?? existing.channelMode,
    abTest,
  });
  if (data.variants || channelPlan || data.channelMode) {
    await checkEscalationReceipts(deps, p.workspaceId, {
      channelPlan: channelPlan ?? existing.channelPlan,
      channelMode: data.channelMode ?? existing.channelMode,
      variants: data.variants ?? existing.variants,
      ...(existing.openPixel !== undefined ? { openPixel: existing.openPixel } : {}),
    });
  }
  const { variants: variantInput, audience: _a, segmentId: _s, ...rest } = data;
  return editCampaign(deps, p, existing, {
    columns: {
      ...(rest.name !== undefined ? { name: rest.name } : {}),
      ...audience,
      ...(rest.excludeDormant !== undefined ? { excludeDormant: rest.excludeDormant } : {}),
      ...(rest.quietHours !== undefined ? { quietHours: rest.quietHours } : {}),
      ...(channelPlan ? { channelPlan } : {}),
      ...(rest.channelMode !== undefined ? { channelMode: rest.channelMode } : {}),
      ...(rest.scheduledAt !== undefined ? { scheduledAt: rest.scheduledAt } : {}),
      ...(rest.batchIntervalMs !== undefined ? { batchIntervalMs: rest.batchIntervalMs } : {}),
      ...(rest.sendWindowMs !== undefined ? { sendWindowMs: rest.sendWindowMs } : {}),
      ...(rest.schedule !== undefined ? { schedule: rest.schedule } : {}),
      ...(rest.abTest !== undefined ? { abTest: rest.abTest } : {}),
      ...(rest.retryPolicy !== undefined ? { retryPolicy: mergeRetryPolicy(rest.retryPolicy) } : {}),
    },
    variants: variantInput,
    fields: Object.keys(data),
  });
}

function assertEditable(campaign: Campaign): void {
  if (['draft', 'in_review', 'approved'].includes(campaign.state)) return;
  throw new QunfaError(
    'CAMPAIGN_NOT_EDITABLE',
    `only a draft can be edited; this campaign is ${campaign.state}`,
    { details: { state: campaign.state } },
  );
}

/**
 * Writes an edit of a draft, or of a campaign in review or approved: those go back to draft
 * for the change and are submitted for review again (an approval covers what was approved).
 */
async function editCampaign(
  deps: ServiceDeps,
  p: Principal,
  existing: Campaign,
  edit: {
    columns: Partial<typeof campaigns.$inferInsert>;
    variants?: CreateCampaignInput['variants'] | undefined;
    fields: string[];
    action?: string;
  },
): Promise<Campaign> {
  const reviewed = existing.state === 'in_review' || existing.state === 'approved';
  if (reviewed) await reopenForEdit(deps, p, existing);
  // A scheduled template (followSegment) changes in place; anything else only as a draft.
  const editableState = existing.state === 'scheduled' ? 'scheduled' : 'draft';
  const updated = await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const changed = await tx
      .update(campaigns)
      .set({ ...edit.columns, updatedAt: deps.clock.now() })
      .where(and(eq(campaigns.id, Number(existing.id)), eq(campaigns.state, editableState)))
      .returning({ id: campaigns.id });
    if (changed.length === 0) {
      throw new QunfaError(
        'CAMPAIGN_NOT_EDITABLE',
        `the campaign left ${editableState} while it was being edited`,
      );
    }
    if (edit.variants) {
      await tx.delete(variants).where(eq(variants.campaignId, Number(existing.id)));
      await insertVariants(tx, p.workspaceId, Number(existing.id), edit.variants);
    }
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: edit.action ?? 'campaign.updated',
      subjectType: 'campaign',
      subjectId: existing.id,
      details: { fields: edit.fields },
    });
    return (await loadCampaign(tx, Number(existing.id)))!;
  });
  if (!reviewed) return updated;
  // Content a block finding stops stays a draft, its findings stored for the operator to see.
  return submitForReview(deps, p, existing.id).catch((error: unknown) => {
    if (error instanceof QunfaError && error.code === 'COMPLIANCE_BLOCKED') return updated;
    throw error;
  });
}

/**
 * A segment was re-aimed: the campaigns that follow it and have not started take its new
 * expression. Drafts change in place; campaigns in review or approved go back through review;
 * templates (recurring or triggered) change in place, so their next run sends to the new
 * audience. Started, scheduled one-off and finished campaigns keep the audience they have.
 * Returns the ids of the campaigns that changed.
 */
export async function followSegment(
  deps: ServiceDeps,
  p: Principal,
  segmentId: number,
  audience: AudienceExpression,
): Promise<string[]> {
  const found = await deps.db
    .select()
    .from(campaigns)
    .where(
      and(
        eq(campaigns.workspaceId, p.workspaceId),
        eq(campaigns.segmentId, segmentId),
        or(
          inArray(campaigns.state, ['draft', 'in_review', 'approved']),
          and(isNotNull(campaigns.schedule), eq(campaigns.state, 'scheduled')),
        ),
      ),
    );
  const changed: string[] = [];
  for (const campaign of await withVariants(deps.db, found)) {
    await editCampaign(deps, p, campaign, {
      columns: { audience },
      fields: ['audience'],
      action: 'campaign.segment_followed',
    });
    changed.push(campaign.id);
  }
  return changed;
}
