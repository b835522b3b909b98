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
  /** `index.bytes()` after the last sync. */
  bytes: number;
  /** When a preview or a plan last asked for it (warming does not count): the eviction order. */
  usedAt: number;
}

/** What the indexes of one database hold, for the process's metrics. */
export interface AudienceIndexStats {
  workspaces: number;
  bytes: number;
  maxBytes: number;
  evictions: number;
}

/**
 * The in-memory audience indexes of one database, one per workspace, built on first use and
 * brought up to date from the change log before every answer: counts are exact as of the
 * moment the call starts, however many API processes write. Past a memory budget the indexes
 * used longest ago are dropped (an index holds ~21 bytes a contact — id, last activity, four
 * coded columns of 1–4 bytes — plus, per tag, a bit a contact or 2 bytes a tagged contact,
 * whichever is less, and a bit a contact per suppression reason): a dropped workspace's next
 * preview rebuilds it, still exact, only slower (seconds at a million contacts).
 */
export class AudienceIndexes {
  private readonly entries = new Map<number, Entry>();
  private readonly locks = new Map<number, Promise<unknown>>();
  private prunedAt = 0;
  private maxBytes = Number.POSITIVE_INFINITY;
  private evictions = 0;

  constructor(private readonly db: Db) {}

  /**
   * Keeps the indexes under `maxBytes` by dropping those used longest ago. The index just asked
   * for always stays, even alone over the budget: a preview needs it whole.
   */
  limit(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evict(undefined);
  }

  /** The workspace's index, synced; calls for one workspace run one at a time. */
  async synced(workspaceId: number, options: { warming?: boolean } = {}): Promise<WorkspaceIndex> {
    const previous = this.locks.get(workspaceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.sync(workspaceId, options.warming === true));
    this.locks.set(workspaceId, next);
    return next;
  }

  stats(): AudienceIndexStats {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.bytes;
    return { workspaces: this.entries.size, bytes, maxBytes: this.maxBytes, evictions: this.evictions };
  }

  /** True when the workspace's index is built (a preview will only catch up, not build). */
  has(workspaceId: number): boolean {
    return this.entries.has(workspaceId);
  }

  /**
   * Builds the indexes of every workspace in the background, then catches each up every
   * `intervalMs`, so that no operator's first preview pays the build (seconds at a million
   * contacts) and an idle index never goes stale. Past the budget it builds no more: it only
   * catches up those in memory (warming them all would drop each in turn, every round).
   * `stop` waits for the sync under way.
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
        if (!this.has(id) && this.stats().bytes >= this.maxBytes) continue;
        await this.synced(id, { warming: true });
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

  private async sync(workspaceId: number, warming: boolean): Promise<WorkspaceIndex> {
    const index = await this.syncEntry(workspaceId);
    const entry = this.entries.get(workspaceId)!;
    entry.bytes = index.bytes();
    if (!warming) entry.usedAt = Date.now();
    this.evict(workspaceId);
    return index;
  }

  /** Drops the indexes used longest ago until the rest fit, never `keep`'s. */
  private evict(keep: number | undefined): void {
    let bytes = this.stats().bytes;
    if (bytes <= this.maxBytes) return;
    const oldestFirst = [...this.entries].sort(([, a], [, b]) => a.usedAt - b.usedAt);
    for (const [id, entry] of oldestFirst) {
      if (bytes <= this.maxBytes) return;
      if (id === keep) continue;
      this.entries.delete(id);
      bytes -= entry.bytes;
      this.evictions++;
    }
  }

  private async syncEntry(workspaceId: number): Promise<WorkspaceIndex> {
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
    this.entries.set(workspaceId, { index, xmin, syncedAt: now, bytes: 0, usedAt: entry?.usedAt ?? 0 });
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
