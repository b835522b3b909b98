import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import { actorOf } from '../review-state.js';
import { validate } from '../validate.js';

/** Days each kind of personal data is kept before the retention job removes it. */
export interface Retention {
  /** What contacts wrote to us (inbound text and media) and operators' replies to them. Default 180. */
  inboundDays: number;
  /** Provider message ids, provider errors and raw receipt payloads of deliveries. Default 30 (seed 000: 30 days warm). */
  deliveryDetailDays: number;
  /** Complaint evidence bundles not under a legal hold. Default 365. */
  evidenceDays: number;
  /** A finished campaign's deliveries, attempts and events move to an archive file this long after it finished. Default 30. */
  archiveDays: number;
}

export const defaultRetention: Retention = {
  inboundDays: 180,
  deliveryDetailDays: 30,
  evidenceDays: 365,
  archiveDays: 30,
};

const days = z.number().int().min(1).max(3650);
const retentionInput = z.strictObject({
  inboundDays: days.nullish(),
  deliveryDetailDays: days.nullish(),
  evidenceDays: days.nullish(),
  archiveDays: days.nullish(),
});

/** A workspace's retention: its own days where set, else the defaults. */
export function effectiveRetention(own: Partial<Record<string, number>>): Retention {
  return {
    inboundDays: own.inboundDays ?? defaultRetention.inboundDays,
    deliveryDetailDays: own.deliveryDetailDays ?? defaultRetention.deliveryDetailDays,
    evidenceDays: own.evidenceDays ?? defaultRetention.evidenceDays,
    archiveDays: own.archiveDays ?? defaultRetention.archiveDays,
  };
}

export async function workspaceRetention(db: Db, workspaceId: number): Promise<Retention> {
  const [row] = await db
    .select({ retention: workspaces.retention })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return effectiveRetention(row?.retention ?? {});
}

/** An admin sets the workspace's retention; a kind left out (or null) goes back to its default. */
export async function setRetention(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
): Promise<Retention> {
  const p = authorize(principal, 'admin');
  const given = validate(retentionInput, input);
  const own = Object.fromEntries(Object.entries(given).filter(([, v]) => v != null)) as Partial<Retention>;
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.update(workspaces).set({ retention: own }).where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'workspace.retention',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { retention: own },
    });
  });
  return effectiveRetention(own);
}
