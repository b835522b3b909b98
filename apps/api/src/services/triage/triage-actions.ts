import { QunfaError, type TriageAction, type TriageStatus, triageTransition } from '@qunfa/core';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { triageItems } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import { validate } from '../validate.js';
import { getTriageItem, type TriageItemRow } from './triage-items.js';

const assigneeInput = z.string().trim().min(1).max(128);

/** Publishes a change of an item to the workspace's `triage.item` subscribers. */
export async function publishTriageChange(deps: ServiceDeps, item: TriageItemRow, change: string) {
  await deps.bus.publish('triage.item', String(item.workspaceId), {
    workspaceId: String(item.workspaceId),
    id: String(item.id),
    change,
    at: deps.clock.now().toISOString(),
  });
}

/**
 * Moves an item by `action` in one transaction, checked against the status it has in the row it
 * updates (a concurrent change loses with ILLEGAL_TRANSITION, nothing written), audited.
 */
export async function moveTriageItem(
  deps: ServiceDeps,
  p: Principal,
  id: string,
  action: TriageAction,
  set: Partial<Pick<TriageItemRow, 'assignee' | 'repliedAt' | 'resolvedAt'>> = {},
  details: Record<string, unknown> = {},
): Promise<TriageItemRow> {
  const updated = await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const item = await getTriageItem(tx, p.workspaceId, id);
    const status: TriageStatus = triageTransition(item.status as TriageStatus, action);
    const now = deps.clock.now();
    const [row] = await tx
      .update(triageItems)
      .set({ ...set, status, updatedAt: now })
      .where(and(eq(triageItems.id, item.id), eq(triageItems.status, item.status)))
      .returning();
    if (!row) {
      throw new QunfaError('ILLEGAL_TRANSITION', 'the item changed meanwhile; read it again', {
        details: { id, action },
      });
    }
    await writeAudit(tx, {
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: `triage.${action}`,
      subjectType: 'triage_item',
      subjectId: item.id,
      details: { from: item.status, to: status, ...details },
      at: now,
    });
    return row;
  });
  await publishTriageChange(deps, updated, action);
  return updated;
}

/** Gives an item to someone (an operator's name or handle); an answered item keeps its status. */
export function assignTriageItem(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { id: string; assignee: string },
) {
  const p = authorize(principal, 'write');
  const assignee = validate(z.object({ assignee: assigneeInput }), input).assignee;
  return moveTriageItem(deps, p, input.id, 'assign', { assignee }, { assignee });
}

export function unassignTriageItem(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'write');
  return moveTriageItem(deps, p, id, 'unassign', { assignee: null });
}

/** Closes an item: it is never overdue again. */
export function resolveTriageItem(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'write');
  return moveTriageItem(deps, p, id, 'resolve', { resolvedAt: deps.clock.now() });
}

export function reopenTriageItem(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'write');
  return moveTriageItem(deps, p, id, 'reopen', { resolvedAt: null });
}
