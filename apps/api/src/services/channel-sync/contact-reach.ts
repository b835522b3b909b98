import { and, asc, eq } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { contactReach } from '../../db/schema/index.js';
import type { ServiceDeps } from '../deps.js';

/** Through whom a contact can be reached (a WeCom customer through the staff who have them), from the syncs. */
export async function reachOf(deps: ServiceDeps, principal: Principal | null, contactId: string) {
  const p = authorize(principal, 'read');
  return deps.db
    .select()
    .from(contactReach)
    .where(and(eq(contactReach.workspaceId, p.workspaceId), eq(contactReach.contactId, Number(contactId))))
    .orderBy(asc(contactReach.channel), asc(contactReach.addedAt), asc(contactReach.account));
}
