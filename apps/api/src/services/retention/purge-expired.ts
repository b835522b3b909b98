import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { writeAudit } from '../../store/audit.js';
import { redactEvidence } from './redact-evidence.js';
import { effectiveRetention } from './retention-settings.js';

export interface PurgeCounts {
  inboundMessages: number;
  triageReplies: number;
  deliveryAttempts: number;
  events: number;
  evidenceBundles: number;
  /** Expired bundles kept whole because of a legal hold. */
  evidenceHeld: number;
}

const empty = (): PurgeCounts => ({
  inboundMessages: 0,
  triageReplies: 0,
  deliveryAttempts: 0,
  events: 0,
  evidenceBundles: 0,
  evidenceHeld: 0,
});

const before = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

/**
 * Removes personal data past each workspace's retention, in transactions of at most `batch`
 * rows each, so a large backlog never holds long locks; a crash loses nothing (what is left is
 * found again next time). Rows stay, emptied, so counters and campaign summaries still add up.
 * Each workspace that had something removed gets one audit entry with the counts.
 */
export async function purgeExpired(db: Db, now: Date, batch = 1000): Promise<PurgeCounts> {
  const total = empty();
  const spaces = await rows<{ id: number; retention: Partial<Record<string, number>> }>(
    db,
    sql`SELECT id, retention FROM workspaces ORDER BY id`,
  );
  for (const space of spaces) {
    const r = effectiveRetention(space.retention);
    const ws = Number(space.id);
    const counts = empty();
    const drain = async (step: (tx: Db) => Promise<number>) => {
      let n = 0;
      for (;;) {
        const done = await db.transaction((raw) => step(raw as unknown as Db));
        n += done;
        if (done < batch) return n;
      }
    };
    const inboundBefore = before(now, r.inboundDays);
    counts.inboundMessages = await drain(async (tx) => {
      const done = await rows(
        tx,
        sql`UPDATE inbound_messages SET text = '', media = '[]'::jsonb, account = NULL
            WHERE id IN (SELECT id FROM inbound_messages WHERE workspace_id = ${ws}
                           AND received_at < ${inboundBefore}::timestamptz AND (text <> '' OR media <> '[]'::jsonb)
                         ORDER BY id LIMIT ${batch})
            RETURNING id`,
      );
      return done.length;
    });
    counts.triageReplies = await drain(async (tx) => {
      const done = await rows(
        tx,
        sql`UPDATE triage_replies SET text = ''
            WHERE id IN (SELECT id FROM triage_replies WHERE workspace_id = ${ws}
                           AND created_at < ${inboundBefore}::timestamptz AND text <> ''
                         ORDER BY id LIMIT ${batch})
            RETURNING id`,
      );
      return done.length;
    });
    const detailBefore = before(now, r.deliveryDetailDays);
    counts.deliveryAttempts = await drain(async (tx) => {
      const done = await rows(
        tx,
        sql`UPDATE delivery_attempts SET provider_message_id = NULL, error = NULL
            WHERE id IN (SELECT id FROM delivery_attempts WHERE workspace_id = ${ws} AND at < ${detailBefore}::timestamptz
                           AND (provider_message_id IS NOT NULL OR error IS NOT NULL)
                         ORDER BY id LIMIT ${batch})
            RETURNING id`,
      );
      return done.length;
    });
    counts.events = await drain(async (tx) => {
      const done = await rows(
        tx,
        sql`UPDATE events SET payload = '{}'::jsonb
            WHERE id IN (SELECT id FROM events WHERE workspace_id = ${ws} AND at < ${detailBefore}::timestamptz
                           AND payload <> '{}'::jsonb
                         ORDER BY id LIMIT ${batch})
            RETURNING id`,
      );
      return done.length;
    });
    const evidenceBefore = before(now, r.evidenceDays);
    const expired = sql`e.workspace_id = ${ws} AND e.created_at < ${evidenceBefore}::timestamptz`;
    counts.evidenceBundles = await drain(
      async (tx) => (await redactEvidence(tx, expired, 'retention', now, batch)).redacted,
    );
    const [held] = await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM evidence_bundles e WHERE ${expired} AND e.legal_hold_at IS NOT NULL`,
    );
    counts.evidenceHeld = held?.n ?? 0;
    const removed = Object.entries(counts).filter(([k, n]) => k !== 'evidenceHeld' && n > 0);
    if (removed.length > 0) {
      await writeAudit(db, {
        workspaceId: ws,
        actor: { kind: 'system', id: 'retention' },
        action: 'retention.purged',
        subjectType: 'workspace',
        subjectId: ws,
        at: now,
        details: { ...counts, retention: r },
      });
    }
    for (const key of Object.keys(total) as (keyof PurgeCounts)[]) total[key] += counts[key];
  }
  return total;
}
