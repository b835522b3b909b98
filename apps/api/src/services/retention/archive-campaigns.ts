import { rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { isQunfaError, QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { writeAudit } from '../../store/audit.js';
import { senderGroups } from '../campaign-breakdown.js';
import { costGroups } from '../cost/campaign-cost.js';
import { liveFeedbackCounts } from '../metrics/feedback-counts.js';
import { funnelRows } from '../metrics/funnel.js';
import { opensRows } from '../metrics/opens.js';
import { readArchiveFile, writeArchiveFile } from './archive-file.js';
import { type ArchiveTarget, folderTarget } from './archive-target.js';
import type { ArchiveSummary } from './archived-summary.js';
import { effectiveRetention } from './retention-settings.js';

export type ArchiveOptions = (
  | {
      /** The archive folder; files go to `<workspace>/<YYYY-MM-DD>/campaign-<id>.jsonl.gz` under it. */
      dir: string;
      target?: undefined;
    }
  | {
      /** Where archives go (a folder, an S3-compatible bucket): `archive-target.ts`. */
      target: ArchiveTarget;
      dir?: undefined;
    }
) & {
  /** Rows removed per transaction, and read per page. Default 1000. */
  batch?: number;
  /** The time archives and restores are stamped with (the server's clock). Default now. */
  now?: Date;
};

const targetOf = (options: ArchiveOptions): ArchiveTarget => options.target ?? folderTarget(options.dir);

/** Reads the whole archive at `location` (sha256, trailer) through `target`, for each line. */
async function* archiveLines(target: ArchiveTarget, location: string, sha256: string) {
  const file = await target.open(location);
  try {
    yield* readArchiveFile(file.path, sha256, location);
  } finally {
    await file.release();
  }
}

export interface ArchiveCounts {
  campaigns: number;
  deliveries: number;
  attempts: number;
  events: number;
}

interface ArchiveRow {
  state: 'deleting' | 'archived' | 'restored';
  path: string;
  sha256: string;
  deliveries: number;
  attempts: number;
  events: number;
}

const archiveRow = async (db: Db, campaignId: number) =>
  (
    await rows<ArchiveRow>(
      db,
      sql`SELECT state, path, sha256, deliveries, attempts, events FROM campaign_archives WHERE campaign_id = ${campaignId}`,
    )
  )[0];

/** Rows of the campaign still in the hot tables. */
export async function hotRows(db: Db, campaignId: number) {
  const [found] = await rows<{ deliveries: number; attempts: number; events: number }>(
    db,
    sql`SELECT (SELECT count(*) FROM deliveries WHERE campaign_id = ${campaignId})::int AS deliveries,
               (SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
                 WHERE d.campaign_id = ${campaignId})::int AS attempts,
               (SELECT count(*) FROM events WHERE campaign_id = ${campaignId})::int AS events`,
  );
  return found!;
}

/**
 * Archives one finished campaign: its deliveries, their attempts and its events to a gzipped
 * JSON Lines file, then removes them from the hot tables in transactions of `batch` rows.
 * Crash-safe at every step: until the file is whole (written, flushed, renamed, its counts equal
 * to the rows) nothing is removed, and a rerun writes it again; once the archive row says
 * `deleting`, a rerun checks the file against its sha256 and trailer and goes on removing. The
 * campaign's counters stay, and its funnel, cost, sender counts and feedback are kept in the
 * archive row's summary, so its views read the same after.
 */
export async function archiveCampaign(
  db: Db,
  campaignId: number,
  options: ArchiveOptions,
): Promise<ArchiveCounts> {
  const lock = await lockArchiving(db, campaignId);
  try {
    return await archiveCampaignLocked(db, campaignId, options);
  } finally {
    await lock.release();
  }
}

/**
 * Holds the right to archive one campaign across processes (every worker runs the retention job,
 * and `qunfa archive` may run beside them): a session advisory lock on a connection reserved for
 * it, released with it (a killed process's connection closes and frees it). Two archivers of one
 * campaign at once would write the same file, and one would remove the rows under an archive the
 * other had overwritten. Held elsewhere: CONFLICT (ARCHIVE_BUSY). PGlite is one process, whose
 * retention job archives one campaign at a time: nothing to lock.
 */
async function lockArchiving(db: Db, campaignId: number): Promise<{ release(): Promise<void> }> {
  const client = (db as unknown as { $client?: unknown }).$client as
    | { reserve?: () => Promise<ReservedConnection> }
    | undefined;
  if (typeof client?.reserve !== 'function') return { release: async () => {} };
  const connection = await client.reserve();
  const key = `qunfa.archive.${campaignId}`;
  try {
    const [got] = await connection.unsafe<{ locked: boolean }[]>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [key],
    );
    if (!got?.locked) {
      throw new QunfaError(
        'CONFLICT',
        `campaign ${campaignId} is being archived or restored by another process`,
        {
          details: { reason: 'ARCHIVE_BUSY' },
        },
      );
    }
  } catch (error) {
    connection.release();
    throw error;
  }
  return {
    async release() {
      try {
        await connection.unsafe('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      } finally {
        connection.release();
      }
    },
  };
}

interface ReservedConnection {
  unsafe<T>(query: string, parameters?: unknown[]): Promise<T>;
  release(): void;
}

async function archiveCampaignLocked(
  db: Db,
  campaignId: number,
  options: ArchiveOptions,
): Promise<ArchiveCounts> {
  const batch = options.batch ?? 1000;
  const now = (options.now ?? new Date()).toISOString();
  const [campaign] = await rows<{ workspaceId: number; state: string; finished: string | null }>(
    db,
    sql`SELECT workspace_id AS "workspaceId", state, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS finished
        FROM campaigns WHERE id = ${campaignId}`,
  );
  if (!campaign) throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${campaignId} not found`);
  if (!['completed', 'cancelled', 'failed'].includes(campaign.state) || campaign.finished === null) {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      `campaign ${campaignId} is ${campaign.state}: only a finished one is archived`,
    );
  }
  const target = targetOf(options);
  let row = await archiveRow(db, campaignId);
  if (row?.state === 'archived') return { campaigns: 0, deliveries: 0, attempts: 0, events: 0 };
  if (row === undefined || row.state === 'restored') {
    const workspaceId = Number(campaign.workspaceId);
    const key = posix.join(String(workspaceId), campaign.finished, `campaign-${campaignId}.jsonl.gz`);
    const summary: ArchiveSummary = {
      funnel: await funnelRows(db, campaignId),
      costGroups: await costGroups(db, campaignId),
      senderGroups: await senderGroups(db, campaignId),
      feedback: await liveFeedbackCounts(db, String(campaignId)),
      opens: await opensRows(db, campaignId),
    };
    const staged = target.stagingPath(key);
    const written = await writeArchiveFile(db, { workspaceId, campaignId }, staged, batch);
    const hot = await hotRows(db, campaignId);
    if (
      hot.deliveries !== written.deliveries ||
      hot.attempts !== written.attempts ||
      hot.events !== written.events
    ) {
      await rm(staged, { force: true });
      throw new QunfaError('CONFLICT', `campaign ${campaignId} changed while it was archived: try again`, {
        details: { reason: 'ARCHIVE_RACE' },
      });
    }
    // Renamed into the folder, or uploaded and read back: whole and checked before any row goes.
    // A failure here leaves every row in place; a crash after it writes the archive again next run.
    const path = await target.store(staged, key, { size: written.size, sha256: written.sha256 });
    const { size: _size, ...counts } = written;
    await db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      await rows(
        tx,
        sql`INSERT INTO campaign_archives (campaign_id, workspace_id, state, path, deliveries, attempts, events, sha256, summary, archived_at)
            VALUES (${campaignId}, ${workspaceId}, 'deleting', ${path}, ${written.deliveries}, ${written.attempts},
                    ${written.events}, ${written.sha256}, ${JSON.stringify(summary)}::jsonb, ${now}::timestamptz)
            ON CONFLICT (campaign_id) DO UPDATE SET state = 'deleting', path = excluded.path,
              deliveries = excluded.deliveries, attempts = excluded.attempts, events = excluded.events,
              sha256 = excluded.sha256, summary = excluded.summary, archived_at = ${now}::timestamptz, restored_at = NULL`,
      );
      await writeAudit(tx, {
        workspaceId,
        actor: { kind: 'system', id: 'retention' },
        action: 'campaign.archived',
        subjectType: 'campaign',
        subjectId: campaignId,
        details: { path, ...counts },
        at: new Date(now),
      });
    });
    row = (await archiveRow(db, campaignId))!;
  } else {
    // Resuming a removal a crash interrupted: the archive must still be whole before another row goes.
    for await (const _ of archiveLines(target, row.path, row.sha256));
  }
  const drain = async (step: (tx: Db) => Promise<number>) => {
    for (;;) {
      const done = await db.transaction((raw) => step(raw as unknown as Db));
      if (done < batch) return;
    }
  };
  await drain(async (tx) => {
    const gone = await rows(
      tx,
      sql`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE campaign_id = ${campaignId} ORDER BY id LIMIT ${batch})
          RETURNING id`,
    );
    return gone.length;
  });
  await drain(async (tx) => {
    const ids = await rows<{ id: number }>(
      tx,
      sql`SELECT id FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id LIMIT ${batch} FOR UPDATE`,
    );
    if (ids.length === 0) return 0;
    const list = `{${ids.map((d) => d.id).join(',')}}`;
    await rows(tx, sql`DELETE FROM delivery_attempts WHERE delivery_id = ANY(${list}::bigint[])`);
    await rows(tx, sql`DELETE FROM deliveries WHERE id = ANY(${list}::bigint[])`);
    return ids.length;
  });
  await rows(db, sql`UPDATE campaign_archives SET state = 'archived' WHERE campaign_id = ${campaignId}`);
  return { campaigns: 1, deliveries: row.deliveries, attempts: row.attempts, events: row.events };
}

/**
 * Archives every campaign finished longer ago than its workspace's `archiveDays`, and first
 * finishes any archive a crash left half-removed. One campaign at a time.
 */
export async function archiveDue(db: Db, now: Date, options: ArchiveOptions): Promise<ArchiveCounts> {
  const total: ArchiveCounts = { campaigns: 0, deliveries: 0, attempts: 0, events: 0 };
  const spaces = await rows<{ id: number; retention: Partial<Record<string, number>> }>(
    db,
    sql`SELECT id, retention FROM workspaces ORDER BY id`,
  );
  for (const space of spaces) {
    const before = new Date(now.getTime() - effectiveRetention(space.retention).archiveDays * 86_400_000);
    const due = await rows<{ id: number }>(
      db,
      sql`SELECT c.id FROM campaigns c
          WHERE c.workspace_id = ${space.id}
            AND ((c.state IN ('completed', 'cancelled', 'failed') AND c.finished_at < ${before.toISOString()}::timestamptz
                  AND NOT EXISTS (SELECT 1 FROM campaign_archives a WHERE a.campaign_id = c.id))
                 OR EXISTS (SELECT 1 FROM campaign_archives a WHERE a.campaign_id = c.id AND a.state = 'deleting'))
          ORDER BY c.id`,
    );
    for (const { id } of due) {
      const done = await archiveCampaign(db, Number(id), { ...options, now: options.now ?? now }).catch(
        (error: unknown) => {
          // Another process is archiving it: it finishes it, or the next run does.
          if (isQunfaError(error, 'CONFLICT') && error.details.reason === 'ARCHIVE_BUSY') {
            return { campaigns: 0, deliveries: 0, attempts: 0, events: 0 };
          }
          throw error;
        },
      );
      for (const k of Object.keys(total) as (keyof ArchiveCounts)[]) total[k] += done[k];
    }
  }
  return total;
}

/**
 * Puts an archived campaign's rows back in the hot tables with their own ids, for analysis:
 * the file is checked first (sha256, trailer), rows already there are left alone, so a re-import
 * interrupted and run again adds nothing twice. The campaign's views then read its rows again.
 */
export async function restoreCampaign(
  db: Db,
  campaignId: number,
  options: ArchiveOptions,
): Promise<Omit<ArchiveCounts, 'campaigns'>> {
  // Not beside an archiver of the same campaign: its removal would take the rows put back.
  const lock = await lockArchiving(db, campaignId);
  try {
    return await restoreCampaignLocked(db, campaignId, options);
  } finally {
    await lock.release();
  }
}

async function restoreCampaignLocked(
  db: Db,
  campaignId: number,
  options: ArchiveOptions,
): Promise<Omit<ArchiveCounts, 'campaigns'>> {
  const row = await archiveRow(db, campaignId);
  if (!row) throw new QunfaError('NOT_FOUND', `campaign ${campaignId} has no archive`);
  if (row.state === 'restored') return { deliveries: 0, attempts: 0, events: 0 };
  const batch = options.batch ?? 1000;
  const counts = { deliveries: 0, attempts: 0, events: 0 };
  const pending: Record<'delivery' | 'attempt' | 'event', Record<string, unknown>[]> = {
    delivery: [],
    attempt: [],
    event: [],
  };
  const tables = { delivery: 'deliveries', attempt: 'delivery_attempts', event: 'events' } as const;
  const flush = async (kind: keyof typeof pending) => {
    const list = pending[kind];
    if (list.length === 0) return;
    pending[kind] = [];
    const table = sql.raw(tables[kind]);
    const added = await rows(
      db,
      sql`INSERT INTO ${table} OVERRIDING SYSTEM VALUE
          SELECT * FROM json_populate_recordset(NULL::${table}, ${JSON.stringify(list)}::json)
          ON CONFLICT DO NOTHING RETURNING 1`,
    );
    counts[kind === 'delivery' ? 'deliveries' : kind === 'attempt' ? 'attempts' : 'events'] += added.length;
  };
  for await (const line of archiveLines(targetOf(options), row.path, row.sha256)) {
    if (line.t !== 'delivery' && line.t !== 'attempt' && line.t !== 'event') continue;
    pending[line.t].push(line.row);
    if (pending[line.t].length >= batch) await flush(line.t);
  }
  await flush('delivery');
  await flush('attempt');
  await flush('event');
  await rows(
    db,
    sql`UPDATE campaign_archives SET state = 'restored', restored_at = ${(options.now ?? new Date()).toISOString()}::timestamptz WHERE campaign_id = ${campaignId}`,
  );
  return counts;
}
