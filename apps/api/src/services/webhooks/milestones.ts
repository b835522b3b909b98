import { type Clock, type Logger, settledCount } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { readCounters } from '../../store/counters-sql.js';
import { enqueueWebhookEvent } from './enqueue.js';

/** Percent of planned deliveries settled at which partners hear of a campaign's progress. */
export const PROGRESS_MILESTONES = [25, 50, 75, 100] as const;

/**
 * Watches campaigns' exact counters after each settled batch and records each milestone passed
 * once (a row keyed by campaign and milestone), with its `campaign.progress_milestone` webhook
 * event in the same transaction. Counters are sharded and settled concurrently, so a milestone
 * is judged from the committed sum, never inside a settlement: two batches that pass 50 %
 * together still tell it once, and one whose process died before the check is caught up by the
 * campaign's next settlement or its completion.
 */
export function createMilestoneWatcher(deps: { db: Db; clock: Pick<Clock, 'now'>; logger: Logger }) {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const done = new Set<string>();

  async function check(workspaceId: string, campaignId: string): Promise<void> {
    const counters = await readCounters(deps.db, Number(campaignId));
    if (counters.total === 0) return;
    // A send a person must still confirm (WeCom) has no result yet: not settled for a partner.
    const settled = settledCount(counters) - counters.awaitingConfirmation;
    const percent = Math.floor((settled * 100) / counters.total);
    const passed = PROGRESS_MILESTONES.filter((m) => m <= percent);
    if (passed.length === 0) return;
    const at = deps.clock.now();
    await deps.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const recorded = await rows<{ milestone: number }>(
        tx,
        sql`
        INSERT INTO campaign_milestones (campaign_id, workspace_id, milestone, at)
        SELECT ${Number(campaignId)}, ${Number(workspaceId)}, m, ${at.toISOString()}::timestamptz FROM unnest(${`{${passed.join(',')}}`}::int[]) AS m
        ON CONFLICT DO NOTHING
        RETURNING milestone`,
      );
      const { failedByClass: _, ...plain } = counters;
      for (const { milestone } of recorded.sort((a, b) => a.milestone - b.milestone)) {
        await enqueueWebhookEvent(tx, {
          workspaceId,
          type: 'campaign.progress_milestone',
          data: { campaignId, milestone, settled, total: counters.total, counters: plain },
          at,
        });
      }
    });
    if (passed.length === PROGRESS_MILESTONES.length) {
      // Only a cache of campaigns with nothing left to tell: forgetting it costs one read.
      if (done.size >= 10_000) done.clear();
      done.add(campaignId);
    }
  }

  /** One check at a time per campaign; calls meanwhile make one more run after it. */
  function nudge(workspaceId: string, campaignId: string): void {
    if (done.has(campaignId)) return;
    if (running.has(campaignId)) {
      again.add(campaignId);
      return;
    }
    const run = (async () => {
      do {
        again.delete(campaignId);
        await check(workspaceId, campaignId).catch((error: unknown) =>
          deps.logger.warn('progress milestone check failed', {
            campaignId,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      } while (again.has(campaignId));
    })().finally(() => running.delete(campaignId));
    running.set(campaignId, run);
  }

  return {
    nudge,
    /** Waits for the checks in flight (a stop). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
