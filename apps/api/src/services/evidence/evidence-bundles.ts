import { and, eq } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { evidenceBundles } from '../../db/schema/index.js';
import type { ServiceDeps } from '../deps.js';
import { getTriageItem } from '../triage/triage-items.js';

export type EvidenceBundleRow = typeof evidenceBundles.$inferSelect;

/**
 * Operators: the evidence bundle of a complaint item (NOT_FOUND for another workspace's item),
 * or null when the item is no complaint.
 */
export async function complaintEvidence(
  deps: ServiceDeps,
  principal: Principal | null,
  triageItemId: string,
): Promise<EvidenceBundleRow | null> {
  const p = authorize(principal, 'write');
  const item = await getTriageItem(deps.db, p.workspaceId, triageItemId);
  const [bundle] = await deps.db
    .select()
    .from(evidenceBundles)
    .where(and(eq(evidenceBundles.workspaceId, p.workspaceId), eq(evidenceBundles.triageItemId, item.id)));
  return bundle ?? null;
}
