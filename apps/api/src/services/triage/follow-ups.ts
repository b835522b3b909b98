import {
  type Actor,
  type Campaign,
  type Clock,
  type Engine,
  isQunfaError,
  type Logger,
  QunfaError,
} from '@qunfa/core';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { type Db, rows } from '../../db/database.js';
import { triageItems, workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { loadCampaign } from '../../store/campaign-mapper.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';

/*
 * "Interested" replies run the workspace's follow-up template (seed 000: 自动推送跟进问卷): a
 * started triggered template whose run is narrowed to the one contact. The item notes the
 * template in the transaction that stores the reply; a sweep makes the runs afterwards, so a
 * crash in between loses none, and the run key (attributed campaign + contact) sends once.
 */

const followUpActor: Actor = { kind: 'system', id: 'triage:follow-up' };

const isStartedTriggered = (c: Campaign | undefined): c is Campaign =>
  !!c && c.schedule?.kind === 'triggered' && c.state === 'scheduled';

/** The workspace's follow-up template, or null. */
export async function followUpTemplate(
  deps: ServiceDeps,
  principal: Principal | null,
): Promise<Campaign | null> {
  const p = authorize(principal, 'read');
  const [row] = await deps.db
    .select({ id: workspaces.followUpTemplateId })
    .from(workspaces)
    .where(eq(workspaces.id, p.workspaceId));
  if (!row?.id) return null;
  return (await loadCampaign(deps.db, row.id)) ?? null;
}

/**
 * Admins: the template "interested" replies run from now on (null: none). It must be a
 * triggered template of the workspace (INVALID_INPUT otherwise, nothing written); it sends only
 * while started.
 */
export async function setFollowUpTemplate(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string | null,
): Promise<Campaign | null> {
  const p = authorize(principal, 'admin');
  const template = campaignId === null ? null : await requireCampaign(deps.db, p, campaignId);
  if (template && template.schedule?.kind !== 'triggered') {
    throw new QunfaError('INVALID_INPUT', 'campaignId: a follow-up must be a triggered template', {
      details: { field: 'campaignId' },
    });
  }
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx
      .update(workspaces)
      .set({ followUpTemplateId: template ? Number(template.id) : null })
      .where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: 'workspace.follow_up_template_set',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { template: template?.id ?? null },
    });
  });
  return template;
}

export interface FollowUpDeps {
  db: Db;
  clock: Pick<Clock, 'now'>;
  engine: Pick<Engine, 'followUp'>;
  logger: Logger;
}

export interface FollowUpsRun {
  started: number;
  /** Dropped for good (template gone or not started, or a reply to the follow-up itself). */
  skipped: number;
  /** Left for the next sweep. */
  failed: number;
}

interface Pending {
  id: string;
  workspace_id: string;
  contact_id: string;
  campaign_id: string | null;
  template_id: string;
  run_of_id: string | null;
}

async function settle(db: Db, item: Pending, set: { runId: string } | { skipped: string }, at: Date) {
  await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const done = await tx
      .update(triageItems)
      .set('runId' in set ? { followUpCampaignId: Number(set.runId) } : { followUpTemplateId: null })
      .where(and(eq(triageItems.id, Number(item.id)), isNull(triageItems.followUpCampaignId)))
      .returning({ id: triageItems.id });
    if (done.length === 0) return;
    await writeAudit(tx, {
      at,
      workspaceId: item.workspace_id,
      actor: followUpActor,
      action: 'runId' in set ? 'triage.follow_up_started' : 'triage.follow_up_skipped',
      subjectType: 'triage_item',
      subjectId: item.id,
      details: { template: item.template_id, contact: item.contact_id, ...set },
    });
  });
}

/**
 * Makes the follow-up run of every interested item still waiting for one (up to `limit`, oldest
 * first). One run per attributed campaign and contact: a second interested reply to the same
 * campaign gets the run the first made.
 */
export async function runPendingFollowUps(deps: FollowUpDeps, limit = 100): Promise<FollowUpsRun> {
  const result: FollowUpsRun = { started: 0, skipped: 0, failed: 0 };
  const pending = await rows<Pending>(
    deps.db,
    sql`SELECT t.id::text, t.workspace_id::text, t.contact_id::text, t.campaign_id::text,
               t.follow_up_template_id::text AS template_id, c.run_of_id::text
        FROM triage_items t LEFT JOIN campaigns c ON c.id = t.campaign_id
        WHERE t.follow_up_template_id IS NOT NULL AND t.follow_up_campaign_id IS NULL
        ORDER BY t.id LIMIT ${limit}`,
  );
  for (const item of pending) {
    if (item.campaign_id === item.template_id || item.run_of_id === item.template_id) {
      // Interest in the follow-up itself: it already went to this contact.
      await settle(deps.db, item, { skipped: 'reply_to_follow_up' }, deps.clock.now());
      result.skipped++;
      continue;
    }
    const template = await loadCampaign(deps.db, Number(item.template_id));
    if (!isStartedTriggered(template) || template.workspaceId !== item.workspace_id) {
      await settle(
        deps.db,
        item,
        { skipped: template ? `template_${template.state}` : 'template_gone' },
        deps.clock.now(),
      );
      result.skipped++;
      continue;
    }
    try {
      const run = await deps.engine.followUp({
        workspaceId: item.workspace_id,
        campaignId: item.template_id,
        contactId: item.contact_id,
        key: `${item.campaign_id ?? 'none'}:${item.contact_id}`,
        actor: followUpActor,
      });
      await settle(deps.db, item, { runId: run.id }, deps.clock.now());
      result.started++;
    } catch (error) {
      // The run may exist as a draft (its start failed): the next sweep records it.
      result.failed++;
      deps.logger.warn('a follow-up run could not start', {
        triageItemId: item.id,
        template: item.template_id,
        code: isQunfaError(error) ? error.code : undefined,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return result;
}

/** Runs the sweep on a timer and on demand (`kick` after replies are stored), one sweep at a time. */
export function createFollowUpRunner(deps: FollowUpDeps) {
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    do {
      again = false;
      const r = await runPendingFollowUps(deps).catch((error: unknown) => {
        deps.logger.error('follow-up sweep failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      });
      // A full page means more wait.
      if (r && r.started + r.skipped === 100) again = true;
    } while (again);
  };
  const kick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = sweep().finally(() => {
      running = null;
    });
    return running;
  };
  return {
    kick,
    start(intervalMs: number) {
      timer = setInterval(() => void kick(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

export type FollowUpRunner = ReturnType<typeof createFollowUpRunner>;
