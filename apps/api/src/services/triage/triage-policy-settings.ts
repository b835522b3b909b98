import { type TriagePolicy, type TriagePriority, triagePolicyWith } from '@qunfa/core';
import { eq } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';

/** One class's line of a policy, as the API shows and takes it. */
export interface TriagePolicyEntry {
  label: string;
  priority: TriagePriority;
  replyWithinMinutes: number | null;
}

const entries = (policy: TriagePolicy): TriagePolicyEntry[] =>
  Object.entries(policy.classes).map(([label, c]) => ({ label, ...c }));

/** The workspace's triage policy: the defaults (complaint 15 min, consultation 30) with its overrides. */
export async function workspaceTriagePolicy(
  deps: ServiceDeps,
  principal: Principal | null,
): Promise<TriagePolicyEntry[]> {
  const p = authorize(principal, 'read');
  const [row] = await deps.db
    .select({ triagePolicy: workspaces.triagePolicy })
    .from(workspaces)
    .where(eq(workspaces.id, p.workspaceId));
  return entries(triagePolicyWith(row?.triagePolicy ?? {}));
}

/**
 * Admins: overrides per class (a priority, a deadline in minutes, null for none), merged into
 * the workspace's; checked first (INVALID_INPUT naming the field, nothing written). Applies to
 * items created from now on; existing deadlines stay as they were promised.
 */
export async function setWorkspaceTriagePolicy(
  deps: ServiceDeps,
  principal: Principal | null,
  input: {
    label: string;
    priority?: string | null;
    replyWithinMinutes?: number | null;
    clearDeadline?: boolean | null;
  }[],
): Promise<TriagePolicyEntry[]> {
  const p = authorize(principal, 'admin');
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ triagePolicy: workspaces.triagePolicy })
      .from(workspaces)
      .where(eq(workspaces.id, p.workspaceId));
    const overrides = { ...(row?.triagePolicy ?? {}) };
    for (const entry of input) {
      const next = { ...(overrides[entry.label] ?? {}) };
      if (entry.priority !== undefined && entry.priority !== null) next.priority = entry.priority;
      if (entry.clearDeadline) next.replyWithinMinutes = null;
      else if (entry.replyWithinMinutes !== undefined && entry.replyWithinMinutes !== null)
        next.replyWithinMinutes = entry.replyWithinMinutes;
      overrides[entry.label] = next;
    }
    const policy = triagePolicyWith(overrides);
    await tx.update(workspaces).set({ triagePolicy: overrides }).where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx as never, {
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: 'workspace.triage_policy_set',
      at: deps.clock.now(),
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { overrides },
    });
    return entries(policy);
  });
}
