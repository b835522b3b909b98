import { QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { type Db, rows } from '../db/database.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import type { ServiceDeps } from './deps.js';
import { parseId, validate } from './validate.js';

/** Reasons an operator records by hand; `erased` comes only from `eraseContact`. */
export const manualSuppressionReasons = ['unsubscribed', 'blacklisted', 'complained'] as const;
export type ManualSuppressionReason = (typeof manualSuppressionReasons)[number];

const suppressInput = z.object({
  contactIds: z.array(z.string()).min(1).max(10_000),
  reason: z.enum(manualSuppressionReasons),
  note: z.string().trim().max(200).nullish(),
});

async function ownedIds(db: Db, workspaceId: number, ids: string[]): Promise<number[]> {
  const numeric = [...new Set(ids)].map(parseId);
  const valid = numeric.filter((n): n is number => n !== undefined);
  const found = await rows<{ id: number | string }>(
    db,
    // Persons only: a customer group is not unsubscribed, blacklisted or complaining (leave it out of the audience instead).
    sql`SELECT id FROM contacts WHERE workspace_id = ${workspaceId}::bigint AND kind = 'person'
        AND id = ANY(${`{${valid.join(',')}}`}::bigint[])`,
  );
  if (found.length !== numeric.length) {
    const known = new Set(found.map((f) => Number(f.id)));
    const missing = ids.find((id) => !known.has(parseId(id) ?? -1));
    throw new QunfaError('CONTACT_NOT_FOUND', `contact ${missing} not found`, {
      details: { contactId: missing },
    });
  }
  return found.map((f) => Number(f.id));
}

/** Records (or lifts) a suppression with its reason on contacts; returns how many changed. */
export async function setSuppression(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { contactIds: string[]; reason: string; note?: string | null; suppressed: boolean },
): Promise<number> {
  const p = authorize(principal, 'write');
  const data = validate(suppressInput, input);
  const ids = await ownedIds(deps.db, p.workspaceId, data.contactIds);
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const list = `{${ids.join(',')}}`;
    const changed = await rows<{ id: number | string }>(
      tx,
      input.suppressed
        ? sql`INSERT INTO suppressions (workspace_id, contact_id, reason, note)
              SELECT ${p.workspaceId}::bigint, unnest(${list}::bigint[]), ${data.reason}, ${data.note ?? null}
              ON CONFLICT DO NOTHING RETURNING contact_id AS id`
        : sql`DELETE FROM suppressions WHERE contact_id = ANY(${list}::bigint[]) AND reason = ${data.reason}
              RETURNING contact_id AS id`,
    );
    await recordAudienceChanges(
      tx,
      p.workspaceId,
      changed.map((c) => Number(c.id)),
    );
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: input.suppressed ? 'contacts.suppressed' : 'contacts.unsuppressed',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { reason: data.reason, count: changed.length },
    });
    return changed.length;
  });
}
