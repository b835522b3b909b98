import type { Logger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { catchUp, loadAll, snapshotXmin } from './index-loader.js';
import { WorkspaceIndex } from './workspace-index.js';

/** An index not synced for this long is rebuilt, since the change log it needs may be pruned. */
const STALE_MS = 30 * 60_000;
/** Change-log rows older than this are deleted (at most once per PRUNE_EVERY_MS per process). */
const KEEP_CHANGES = '1 hour';
const PRUNE_EVERY_MS = 10 * 60_000;

interface Entry {
  index: WorkspaceIndex;
  xmin: string;
  syncedAt: number;
}

/**
 * The in-memory audience indexes of one database, one per workspace, built on first use and
 * brought up to date from the change log before every answer: counts are exact as of the
 * moment the call starts, however many API processes write.
 */
export class AudienceIndexes {
  private readonly entries = new Map<number, Entry>();
  private readonly locks = new Map<number, Promise<unknown>>();
  private prunedAt = 0;

  constructor(private readonly db: Db) {}

  /** The workspace's index, synced; calls for one workspace run one at a time. */
  async synced(workspaceId: number): Promise<WorkspaceIndex> {
    const previous = this.locks.get(workspaceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.sync(workspaceId));
    this.locks.set(workspaceId, next);
    return next;
  }

  /** True when the workspace's index is built (a preview will only catch up, not build). */
  has(workspaceId: number): boolean {
    return this.entries.has(workspaceId);
  }

  /**
   * Builds the indexes of every workspace in the background, then catches each up every
   * `intervalMs`, so that no operator's first preview pays the build (seconds at a million
   * contacts) and an idle index never goes stale. `stop` waits for the sync under way.
   */
  keepWarm(options: { intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const round = async () => {
      const found = await rows<{ id: number }>(
        this.db,
        sql`SELECT id::int AS id FROM workspaces ORDER BY id`,
      );
      for (const { id } of found) {
        if (stopped) return;
        await this.synced(id);
      }
    };
    const next = (): Promise<void> =>
      round()
        .catch((error: unknown) =>
          options.logger.warn('audience index warm-up failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(schedule);
    const schedule = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        running = next();
      }, options.intervalMs);
      timer.unref();
    };
    running = next();
    return {
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await running;
      },
    };
  }

  private async sync(workspaceId: number): Promise<WorkspaceIndex> {
    const now = Date.now();
    if (now - this.prunedAt > PRUNE_EVERY_MS) {
      this.prunedAt = now;
      await this.db.execute(sql`DELETE FROM audience_changes WHERE at < now() - ${KEEP_CHANGES}::interval`);
    }
    const entry = this.entries.get(workspaceId);
    if (entry && now - entry.syncedAt < STALE_MS) {
      const caught = await catchUp(this.db, workspaceId, entry.index, entry.xmin);
      if (!caught.rebuild) {
        entry.xmin = caught.xmin;
        entry.syncedAt = now;
        return entry.index;
      }
    }
    // Taken before loading: a change committed while the pages load is replayed next time.
    const xmin = await snapshotXmin(this.db);
    const index = new WorkspaceIndex();
    await loadAll(this.db, workspaceId, index);
    this.entries.set(workspaceId, { index, xmin, syncedAt: now });
    return index;
  }
}

const byDb = new WeakMap<Db, AudienceIndexes>();

/** The indexes of a database handle, shared by every service call on it. */
export function audienceIndexesFor(db: Db): AudienceIndexes {
  let found = byDb.get(db);
  if (!found) {
    found = new AudienceIndexes(db);
    byDb.set(db, found);
  }
  return found;
}
