import { createHash } from 'node:crypto';
import { buildPlan, type Campaign, checkBeforeStart, type Finding } from '@qunfa/core';
import { asc, eq } from 'drizzle-orm';
import { createContentChecker } from '../compliance/content-checker.js';
import type { Db } from '../db/database.js';
import { findingOverrides, findings } from '../db/schema/index.js';
import type { ServiceDeps } from './deps.js';

/** A stored finding: the kernel's, with a key that stays the same while the content does. */
export interface StoredFinding extends Finding {
  key: string;
  override: { reason: string; approverKeyId: string; at: Date } | null;
}

/** Stable across re-checks of unchanged content: an override refers to it. */
export function findingKey(f: Finding): string {
  const parts = [f.rule, f.code, f.level, f.channel, f.variantId, f.span?.start, f.span?.end, f.message];
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\u0000'))
    .digest('hex')
    .slice(0, 20);
}

/** Every rule's findings on the campaign as it is now, with the audience size they judged. */
export async function evaluate(
  deps: ServiceDeps,
  campaign: Campaign,
): Promise<{ findings: Finding[]; audienceSize: number; channels: string[] }> {
  const now = deps.clock.now();
  const plan = buildPlan(campaign, deps.registry, now);
  const audienceSize = (await deps.store.countAudience?.(plan)) ?? 0;
  const found = await checkBeforeStart(
    campaign,
    plan,
    deps.registry,
    { audienceSize, now },
    createContentChecker(deps.db),
  );
  return { findings: found, audienceSize, channels: plan.channels.map((c) => c.channel) };
}

/** Replaces the campaign's stored findings with these; overrides stay with unchanged findings. */
export async function storeFindings(db: Db, campaign: Campaign, found: Finding[]): Promise<void> {
  await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.delete(findings).where(eq(findings.campaignId, Number(campaign.id)));
    if (found.length === 0) return;
    await tx.insert(findings).values(
      found.map((f) => ({
        workspaceId: Number(campaign.workspaceId),
        campaignId: Number(campaign.id),
        variantId: f.variantId ? Number(f.variantId) : null,
        rule: f.rule,
        level: f.level,
        code: f.code,
        message: f.message,
        spanStart: f.span?.start ?? null,
        spanEnd: f.span?.end ?? null,
        channel: f.channel ?? null,
        params: f.params ?? null,
        key: findingKey(f),
      })),
    );
  });
}

/** The campaign's stored findings with their overrides, in the order they were found. */
export async function loadFindings(db: Db, campaignId: string): Promise<StoredFinding[]> {
  const [found, overrides] = await Promise.all([
    db
      .select()
      .from(findings)
      .where(eq(findings.campaignId, Number(campaignId)))
      .orderBy(asc(findings.id)),
    db
      .select()
      .from(findingOverrides)
      .where(eq(findingOverrides.campaignId, Number(campaignId))),
  ]);
  const byKey = new Map(overrides.map((o) => [o.findingKey, o]));
  return found.map((row) => {
    const override = byKey.get(row.key ?? '');
    return {
      key: row.key ?? String(row.id),
      rule: row.rule,
      level: row.level as Finding['level'],
      code: row.code,
      message: row.message,
      ...(row.spanStart !== null && row.spanEnd !== null
        ? { span: { start: row.spanStart, end: row.spanEnd } }
        : {}),
      ...(row.channel ? { channel: row.channel } : {}),
      ...(row.params ? { params: row.params } : {}),
      ...(row.variantId !== null ? { variantId: String(row.variantId) } : {}),
      override: override
        ? { reason: override.reason, approverKeyId: String(override.approverKeyId), at: override.createdAt }
        : null,
    };
  });
}
