import {
  type AbTest,
  type Actor,
  audienceTagIds,
  type Campaign,
  type ChannelPlanStep,
  QunfaError,
  validateAbTest,
} from '@qunfa/core';
import { and, desc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
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
import type { ServiceDeps } from './deps.js';
import { assertStartAllowed, reopenForEdit } from './review-gate.js';
import { submitForReview } from './reviews.js';
import { requireTags } from './tags.js';
import { decodeCursor, encodeCursor, parseId, validate } from './validate.js';

const actorOf = (p: Principal): Actor => ({ kind: 'api_key', id: String(p.keyId) });

function checkChannels(
  deps: ServiceDeps,
  plan: { channel: string; batchSize?: number | null; failover?: string[] | null }[],
): ChannelPlanStep[] {
  const find = (name: string, field: string) => {
    const channel = deps.registry.channels.find((c) => c.name === name);
    if (!channel) {
      throw new QunfaError('CHANNEL_NOT_FOUND', `channel "${name}" is not loaded`, {
        details: { field, available: deps.registry.channels.map((c) => c.name) },
      });
    }
    return channel;
  };
  const seen = new Set<string>();
  return plan.map((step, i) => {
    const channel = find(step.channel, `channelPlan.${i}.channel`);
    const failover = step.failover ?? [];
    for (const [j, name] of failover.entries()) find(name, `channelPlan.${i}.failover.${j}`);
    for (const name of [step.channel, ...failover]) {
      if (seen.has(name)) {
        throw new QunfaError('INVALID_INPUT', `channelPlan.${i}: ${name} appears twice in the plan`, {
          details: { field: `channelPlan.${i}` },
        });
      }
      seen.add(name);
    }
    if (step.batchSize && step.batchSize > channel.limits.maxRecipientsPerSend) {
      throw new QunfaError(
        'INVALID_INPUT',
        `channelPlan.${i}.batchSize: ${channel.name} takes at most ${channel.limits.maxRecipientsPerSend} recipients a send`,
        { details: { field: `channelPlan.${i}.batchSize` } },
      );
    }
    return {
      channel: step.channel,
      ...(step.batchSize ? { batchSize: step.batchSize } : {}),
      ...(failover.length > 0 ? { failover } : {}),
    };
  });
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
      content: {
        type: v.content.type,
        text: v.content.text,
        ...(v.content.subject ? { subject: v.content.subject } : {}),
      },
    })),
  );
}

export async function requireCampaign(db: Db, p: Principal, id: string): Promise<Campaign> {
  const n = parseId(id);
  const campaign = n === undefined ? undefined : await loadCampaign(db, n);
  if (!campaign || campaign.workspaceId !== String(p.workspaceId)) {
    throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${id} not found`);
  }
  return campaign;
}

export async function createCampaign(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'write');
  const data = validate(createCampaignInput, input);
  await requireTags(deps, p, audienceTagIds(data.audience));
  const channelPlan = checkChannels(deps, data.channelPlan);
  if (data.abTest) validateAbTest(data.abTest, data.variants.length);
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .insert(campaigns)
      .values({
        workspaceId: p.workspaceId,
        name: data.name,
        audience: data.audience,
        channelPlan,
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
  const reviewed = existing.state === 'in_review' || existing.state === 'approved';
  if (existing.state !== 'draft' && !reviewed) {
    throw new QunfaError(
      'CAMPAIGN_NOT_EDITABLE',
      `only a draft can be edited; this campaign is ${existing.state}`,
      {
        details: { state: existing.state },
      },
    );
  }
  if (data.audience) await requireTags(deps, p, audienceTagIds(data.audience));
  const channelPlan = data.channelPlan ? checkChannels(deps, data.channelPlan) : undefined;
  const abTest: AbTest | null = data.abTest === undefined ? existing.abTest : data.abTest;
  if (abTest) validateAbTest(abTest, (data.variants ?? existing.variants).length);
  // An edit after review goes back to review: to draft for the change, then submitted again.
  if (reviewed) await reopenForEdit(deps, p, existing);
  const updated = await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const changed = await tx
      .update(campaigns)
      .set({
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.audience !== undefined ? { audience: data.audience } : {}),
        ...(channelPlan ? { channelPlan } : {}),
        ...(data.scheduledAt !== undefined ? { scheduledAt: data.scheduledAt } : {}),
        ...(data.batchIntervalMs !== undefined ? { batchIntervalMs: data.batchIntervalMs } : {}),
        ...(data.sendWindowMs !== undefined ? { sendWindowMs: data.sendWindowMs } : {}),
        ...(data.schedule !== undefined ? { schedule: data.schedule } : {}),
        ...(data.abTest !== undefined ? { abTest: data.abTest } : {}),
        ...(data.retryPolicy !== undefined ? { retryPolicy: mergeRetryPolicy(data.retryPolicy) } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(campaigns.id, Number(existing.id)), eq(campaigns.state, 'draft')))
      .returning({ id: campaigns.id });
    if (changed.length === 0) {
      throw new QunfaError('CAMPAIGN_NOT_EDITABLE', 'the campaign left draft while it was being edited');
    }
    if (data.variants) {
      await tx.delete(variants).where(eq(variants.campaignId, Number(existing.id)));
      await insertVariants(tx, p.workspaceId, Number(existing.id), data.variants);
    }
    await writeAudit(tx, {
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.updated',
      subjectType: 'campaign',
      subjectId: existing.id,
      details: { fields: Object.keys(data) },
    });
    return (await loadCampaign(tx, Number(existing.id)))!;
  });
  if (!reviewed) return updated;
  // Content a block finding stops stays a draft, its findings stored for the operator to see.
  return submitForReview(deps, p, id).catch((error: unknown) => {
    if (error instanceof QunfaError && error.code === 'COMPLIANCE_BLOCKED') return updated;
    throw error;
  });
}

export async function getCampaign(deps: ServiceDeps, principal: Principal | null, id: string) {
  return requireCampaign(deps.db, authorize(principal, 'read'), id);
}

export async function listCampaigns(
  deps: ServiceDeps,
  principal: Principal | null,
  args: { first: number; after?: string | null },
) {
  const p = authorize(principal, 'read');
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > 200) {
    throw new QunfaError('INVALID_INPUT', 'first: between 1 and 200', { details: { field: 'first' } });
  }
  const before = decodeCursor(args.after);
  const found = await deps.db
    .select()
    .from(campaigns)
    .where(
      and(
        eq(campaigns.workspaceId, p.workspaceId),
        before !== undefined ? lt(campaigns.id, before) : undefined,
      ),
    )
    .orderBy(desc(campaigns.id))
    .limit(args.first + 1);
  const nodes = await withVariants(deps.db, found.slice(0, args.first));
  return {
    edges: nodes.map((node) => ({ cursor: encodeCursor(Number(node.id)), node })),
    pageInfo: {
      hasNextPage: found.length > args.first,
      endCursor: nodes.length > 0 ? encodeCursor(Number(nodes.at(-1)!.id)) : null,
    },
  };
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
    return (await deps.engine.start(input)).campaign;
  }
  return deps.engine[command](input);
}
