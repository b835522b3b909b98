import type { PluginState } from '@qunfa/core';
import { readGroup } from './groups.js';
import { TASK_WINDOW_MS, withLock } from './tasks.js';

/** A campaign's reach in customer groups: the groups its message reached and their members then. */
export interface GroupReach {
  /** Groups WeCom reports sent (result 1). */
  groups: number;
  /** Their members when the result was read (the sync's count kept current by `change_external_chat`); groups whose count is unknown add none. */
  members: number;
  /** Groups reached whose member count was unknown. */
  unknownMembers: number;
}

type ReachRecord = Record<string, number | null>;

const reachKey = (campaignId: string) => `group-reach/${campaignId}`;

/**
 * Records the groups a campaign reached, each once with its member count at the first result
 * that says it was sent (a result read again, or by another process, changes nothing).
 */
export async function recordGroupReach(
  state: PluginState,
  campaignId: string,
  chatIds: readonly string[],
): Promise<void> {
  const key = reachKey(campaignId);
  const known = (await state.get<ReachRecord>(key)) ?? {};
  const fresh = chatIds.filter((id) => !(id in known));
  if (fresh.length === 0) return;
  const records = await Promise.all(fresh.map((id) => readGroup(state, id)));
  await withLock(state, `${key}/lock`, async () => {
    const latest = (await state.get<ReachRecord>(key)) ?? {};
    for (const [i, id] of fresh.entries()) if (!(id in latest)) latest[id] = records[i]!.members ?? null;
    await state.set(key, latest, TASK_WINDOW_MS + 24 * 3600_000);
  });
}

/** What `recordGroupReach` recorded for a campaign (zeros when none of its groups was reached yet). */
export async function groupReach(state: PluginState, campaignId: string): Promise<GroupReach> {
  const record = (await state.get<ReachRecord>(reachKey(campaignId))) ?? {};
  const counts = Object.values(record);
  return {
    groups: counts.length,
    members: counts.reduce<number>((sum, n) => sum + (n ?? 0), 0),
    unknownMembers: counts.filter((n) => n === null).length,
  };
}
