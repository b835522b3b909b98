import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';

/**
 * Replaces the documents of the evidence bundles `where` selects with a stub naming why and
 * when, and drops their signature; `sha256` stays, so the audit entry made when the bundle was
 * assembled still names what existed. Bundles under a legal hold are left whole and counted.
 */
export async function redactEvidence(
  tx: Db,
  where: SQL,
  why: 'erasure' | 'retention',
  at: Date,
  limit = 1000,
): Promise<{ redacted: number; held: number }> {
  const stub = JSON.stringify({ redacted: why, redactedAt: at.toISOString() });
  const redacted = await rows<{ id: number }>(
    tx,
    sql`UPDATE evidence_bundles SET document = ${stub}, signature = NULL, redacted_at = ${at.toISOString()}::timestamptz
        WHERE id IN (SELECT id FROM evidence_bundles e
                     WHERE ${where} AND e.legal_hold_at IS NULL AND e.redacted_at IS NULL
                     ORDER BY e.id LIMIT ${limit})
        RETURNING id`,
  );
  const [held] = await rows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM evidence_bundles e WHERE ${where} AND e.legal_hold_at IS NOT NULL`,
  );
  return { redacted: redacted.length, held: held?.n ?? 0 };
}
