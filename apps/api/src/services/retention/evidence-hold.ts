import { QunfaError } from '@qunfa/core';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { evidenceBundles } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import type { EvidenceBundleRow } from '../evidence/evidence-bundles.js';
import { actorOf } from '../review-state.js';
import { parseId, validate } from '../validate.js';

const reasonInput = z.string().trim().min(3).max(500).nullable();

/**
 * An admin puts a complaint's evidence bundle under a legal hold (the complaint went to a
 * regulator or court: PIPL art. 47 and GDPR art. 17(3)(e) let what a legal claim needs be kept),
 * or lifts it with a null reason. A held bundle survives the person's erasure and the retention
 * job; an already redacted one cannot be held (CONFLICT): its content is gone.
 */
export async function setEvidenceHold(
  deps: ServiceDeps,
  principal: Principal | null,
  bundleId: string,
  reason: string | null,
): Promise<EvidenceBundleRow> {
  const p = authorize(principal, 'admin');
  const why = validate(reasonInput, reason);
  const id = parseId(bundleId);
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [bundle] =
      id === undefined
        ? []
        : await tx
            .select()
            .from(evidenceBundles)
            .where(and(eq(evidenceBundles.id, id), eq(evidenceBundles.workspaceId, p.workspaceId)))
            .for('update');
    if (!bundle) throw new QunfaError('NOT_FOUND', `evidence bundle ${bundleId} not found`);
    if (bundle.redactedAt && why !== null) {
      throw new QunfaError('CONFLICT', 'this bundle was redacted: there is nothing left to hold', {
        details: { redactedAt: bundle.redactedAt.toISOString() },
      });
    }
    const [updated] = await tx
      .update(evidenceBundles)
      .set({ legalHoldAt: why === null ? null : new Date(), legalHoldReason: why })
      .where(eq(evidenceBundles.id, bundle.id))
      .returning();
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: why === null ? 'evidence.hold_lifted' : 'evidence.held',
      subjectType: 'evidence_bundle',
      subjectId: bundle.id,
      details: { reason: why, sha256: bundle.sha256 },
    });
    return updated!;
  });
}
