import type { Actor, Campaign } from '@qunfa/core';
import { QunfaError } from '@qunfa/core';
import { and, eq, sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import { campaigns } from '../db/schema/index.js';
import { writeAudit } from './audit.js';
import { loadCampaign } from './campaign-mapper.js';

export interface RunInput {
  templateId: string;
  key: string;
  name: string;
  at: Date;
  actor: Actor;
  nextRunAt?: Date | null;
  contactIds?: string[];
}

/**
 * Copies a template into a draft run, once per (template, key): the unique index decides a
 * race between workers, and the loser gets the winner's run.
 */
export function createRun(db: Db, input: RunInput): Promise<{ campaign: Campaign; created: boolean }> {
  const templateId = Number(input.templateId);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [template] = await tx.select().from(campaigns).where(eq(campaigns.id, templateId));
    if (!template) throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${input.templateId} not found`);
    if (input.nextRunAt !== undefined) {
      await tx.update(campaigns).set({ nextRunAt: input.nextRunAt }).where(eq(campaigns.id, templateId));
    }
    const at = input.at.toISOString();
    const [inserted] = await rows<{ id: string }>(
      tx,
      sql`INSERT INTO campaigns (workspace_id, name, state, audience, channel_plan, channel_mode, retry_policy, batch_interval_ms,
                                 send_window_ms, exclude_dormant, quiet_hours, segment_id, ab_test, run_of_id, run_key, run_contact_ids, created_by_key_id, created_at, updated_at)
          SELECT workspace_id, ${input.name}::text, 'draft', audience, channel_plan, channel_mode, retry_policy, batch_interval_ms,
                 send_window_ms, exclude_dormant, quiet_hours, segment_id, ab_test, id, ${input.key}::text,
                 ${input.contactIds ? JSON.stringify(input.contactIds) : null}::jsonb, created_by_key_id, ${at}::timestamptz, ${at}::timestamptz
          FROM campaigns WHERE id = ${templateId}::bigint
          ON CONFLICT (run_of_id, run_key) DO NOTHING
          RETURNING id::text`,
    );
    if (!inserted) {
      const [existing] = await tx
        .select({ id: campaigns.id })
        .from(campaigns)
        .where(and(eq(campaigns.runOfId, templateId), eq(campaigns.runKey, input.key)));
      return { campaign: (await loadCampaign(tx, existing!.id))!, created: false };
    }
    const runId = Number(inserted.id);
    // In order: a run keeps the template's A/B split.
    await tx.execute(sql`INSERT INTO variants (workspace_id, campaign_id, key, weight, content, channel_content)
                         SELECT workspace_id, ${runId}::bigint, key, weight, content, channel_content FROM variants
                         WHERE campaign_id = ${templateId}::bigint ORDER BY id`);
    await writeAudit(tx, {
      workspaceId: template.workspaceId,
      actor: input.actor,
      action: 'campaign.run_created',
      subjectType: 'campaign',
      subjectId: runId,
      details: { template: input.templateId, key: input.key },
      at: input.at,
    });
    return { campaign: (await loadCampaign(tx, runId))!, created: true };
  });
}

export async function setNextRunAt(db: Db, templateId: string, nextRunAt: Date | null): Promise<void> {
  await db
    .update(campaigns)
    .set({ nextRunAt })
    .where(eq(campaigns.id, Number(templateId)));
}

export async function recurringDue(db: Db, now: Date, limit: number) {
  // Every tick: a prepared statement (parsed once per connection, not every 250 ms).
  const due = await preparedRows<{ id: string; workspace_id: string }>(
    db,
    sql`SELECT id::text, workspace_id::text FROM campaigns
        WHERE state = 'scheduled' AND schedule IS NOT NULL AND schedule ->> 'kind' = 'recurring'
          AND next_run_at <= ${now.toISOString()}::timestamptz
        ORDER BY next_run_at LIMIT ${limit}`,
  );
  return due.map((c) => ({ workspaceId: c.workspace_id, campaignId: c.id }));
}
