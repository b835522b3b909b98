import { Repeater } from '@repeaterjs/repeater';
import { authorize, type Principal } from '../../auth/roles.js';
import type { ServiceDeps } from '../deps.js';
import { getTriageItem, type TriageItemRow } from './triage-items.js';

/** A triage item as it is created or changes, with what happened (`created`, `assign`, `reply`…). */
export interface TriageItemChange {
  change: string;
  item: TriageItemRow;
}

/** The workspace's triage items as they are created or change, from any process, read from the database. */
export function triageItemUpdates(
  deps: ServiceDeps,
  principal: Principal | null,
): AsyncIterable<TriageItemChange> {
  const p = authorize(principal, 'read');
  return new Repeater<TriageItemChange>(async (push, stop) => {
    const abort = new AbortController();
    stop.then(() => abort.abort());
    try {
      for await (const event of deps.bus.subscribe('triage.item', String(p.workspaceId), abort.signal)) {
        const item = await getTriageItem(deps.db, p.workspaceId, event.id).catch(() => undefined);
        if (item) await push({ change: event.change, item });
      }
    } finally {
      abort.abort();
    }
    stop();
  });
}
