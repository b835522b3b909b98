import { isQunfaError, QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import { type Db, rows } from '../../db/database.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import { actorOf } from '../review-state.js';
import { validate } from '../validate.js';
import { restoreCampaign } from './archive-campaigns.js';
import type { ArchiveTarget } from './archive-target.js';

export interface ArchiveRestore {
  /** Archived campaigns of those days whose rows were put back now. */
  campaigns: number;
  /** Campaigns of those days restored before: nothing done again. */
  alreadyRestored: number;
  /** Campaigns of those days whose rows are still being removed, or that another process archives or restores right now. */
  inProgress: number;
  /** Rows put back (rows already there are skipped, not counted). */
  deliveries: number;
  attempts: number;
  events: number;
}

/** At most a year of days in one call. */
export const MAX_RESTORE_DAYS = 366;

/** A calendar day that exists (Date.parse takes 2026-02-30 for March 2nd). */
const realDay = (s: string) => {
  const at = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === s;
};
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day, YYYY-MM-DD')
  .refine(realDay, 'no such day');
const restoreInput = z
  .strictObject({ from: day, to: day.nullish() })
  .refine((r) => r.to == null || r.to >= r.from, { path: ['to'], message: 'to is before from' })
  .refine(
    (r) =>
      r.to == null ||
      Date.parse(`${r.to}T00:00:00Z`) - Date.parse(`${r.from}T00:00:00Z`) < MAX_RESTORE_DAYS * 86_400_000,
    { path: ['to'], message: `at most ${MAX_RESTORE_DAYS} days at once` },
  );

/** Checks `{ from, to? }` (UTC days, at most a year): the range, or INVALID_INPUT naming the field. */
export function restoreRange(input: unknown): { from: string; to: string } {
  const given = validate(restoreInput, input);
  return { from: given.from, to: given.to ?? given.from };
}

/**
 * Puts back the rows of every campaign of `workspaceId` archived for the UTC days `from`–`to`
 * (the day a campaign finished, as in its archive's path), one campaign at a time: each archive
 * is read from `target` and checked (sha256, trailer) before any of its rows is written, rows
 * already there are skipped, and a campaign already restored is left alone — so running it again,
 * or after an interruption, adds nothing twice. A damaged archive stops the call with CONFLICT
 * (ARCHIVE_CORRUPT); campaigns restored before it stay restored.
 */
export async function restoreArchivedDays(
  db: Db,
  target: ArchiveTarget,
  workspaceId: number,
  range: { from: string; to: string },
  onRestored?: (
    campaignId: number,
    counts: Omit<ArchiveRestore, 'campaigns' | 'alreadyRestored' | 'inProgress'>,
  ) => Promise<void>,
  /** The server's clock reading, for `restored_at`. */
  now: Date = new Date(),
): Promise<ArchiveRestore> {
  const found = await rows<{ campaignId: number; state: string }>(
    db,
    sql`SELECT a.campaign_id AS "campaignId", a.state FROM campaign_archives a
        JOIN campaigns c ON c.id = a.campaign_id
        WHERE a.workspace_id = ${workspaceId}
          AND to_char(c.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') BETWEEN ${range.from} AND ${range.to}
        ORDER BY a.campaign_id`,
  );
  const total: ArchiveRestore = {
    campaigns: 0,
    alreadyRestored: 0,
    inProgress: 0,
    deliveries: 0,
    attempts: 0,
    events: 0,
  };
  for (const { campaignId, state } of found) {
    if (state === 'restored') {
      total.alreadyRestored++;
      continue;
    }
    if (state === 'deleting') {
      total.inProgress++;
      continue;
    }
    const counts = await restoreCampaign(db, Number(campaignId), { target, now }).catch((error: unknown) => {
      if (isQunfaError(error, 'CONFLICT') && error.details.reason === 'ARCHIVE_BUSY') return undefined;
      throw error;
    });
    if (counts === undefined) {
      // Another process archives or restores it right now.
      total.inProgress++;
      continue;
    }
    total.campaigns++;
    total.deliveries += counts.deliveries;
    total.attempts += counts.attempts;
    total.events += counts.events;
    await onRestored?.(Number(campaignId), counts);
  }
  return total;
}

/** `restoreArchive` over GraphQL: a workspace admin re-imports its archived days; audited per campaign. */
export async function restoreArchiveForAdmin(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
): Promise<ArchiveRestore> {
  const p = authorize(principal, 'admin');
  const range = restoreRange(input);
  if (!deps.archiveTarget) {
    throw new QunfaError(
      'ARCHIVE_TARGET_REFUSED',
      'this server has no archive target (an in-memory database without ARCHIVE_DIR or ARCHIVE_S3_BUCKET)',
      { details: { reason: 'not_configured' } },
    );
  }
  return restoreArchivedDays(
    deps.db,
    deps.archiveTarget,
    p.workspaceId,
    range,
    (campaignId, counts) =>
      writeAudit(deps.db, {
        workspaceId: p.workspaceId,
        actor: actorOf(p),
        action: 'campaign.restored',
        subjectType: 'campaign',
        subjectId: campaignId,
        details: { ...counts },
        at: deps.clock.now(),
      }),
    deps.clock.now(),
  );
}
