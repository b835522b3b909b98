import type { PluginState } from '@qunfa/core';

/** A staff member (follow user) who has an external contact as a customer. */
export interface FollowRelation {
  /** The member's userid. */
  userid: string;
  /** When the member added the customer (`createtime`, epoch s). */
  addedAt: number;
  /** When they last talked, where known (session archive, an import), epoch s. */
  lastTalkAt?: number;
  /**
   * The member deleted the customer (`del_external_contact`), the customer deleted the member
   * (`del_follow_user`), or (as `get` reads it, never stored) a complete sync did not see it.
   */
  removed?: 'by_staff' | 'by_customer' | 'unseen';
  /** Epoch ms a sync page or an add callback last saw it at WeCom. */
  seenAt?: number;
}

/**
 * When the last complete sync (of any workspace: the relations are the corp's) began, epoch ms:
 * a relation not seen since has ended at WeCom. Not under `sync/`, which is per workspace.
 */
const SWEPT = 'swept/since';

/** The start of the last complete sync, epoch ms; 0 when none completed. */
export async function sweptSince(state: PluginState): Promise<number> {
  return (await state.get<number>(SWEPT)) ?? 0;
}

/**
 * A complete sync that began at `since` saw every live relation and group: those it did not see
 * are read as ended from now on (`get` and the group send). Never moves back.
 */
export async function markSwept(state: PluginState, since: number): Promise<void> {
  if (since > (await sweptSince(state))) await state.set(SWEPT, since);
}

/**
 * Who can reach which external contact: kept per customer in the shared plugin state (one small
 * value each), written by the sync and the `change_external_contact` callbacks, read when a batch
 * is split by sender.
 */
export interface RelationIndex {
  get(externalUserIds: readonly string[]): Promise<Map<string, FollowRelation[]>>;
  /** Adds or updates one relation; a re-added relation is no longer removed. */
  upsert(externalUserId: string, relation: FollowRelation): Promise<void>;
  /** `upsert` for a page of relations: one parallel read and one parallel write per customer, not one after another. */
  upsertMany(relations: readonly { externalUserId: string; relation: FollowRelation }[]): Promise<void>;
  /** Marks one relation removed, by whom. */
  remove(externalUserId: string, userid: string, by: 'by_staff' | 'by_customer'): Promise<void>;
}

const key = (externalUserId: string) => `follow/${externalUserId}`;

export function stateRelations(state: PluginState): RelationIndex {
  const index: RelationIndex = {
    async get(ids) {
      const out = new Map<string, FollowRelation[]>();
      const since = await sweptSince(state);
      const SLICE = 200;
      for (let i = 0; i < ids.length; i += SLICE) {
        const slice = ids.slice(i, i + SLICE);
        const values = await Promise.all(slice.map((id) => state.get<FollowRelation[]>(key(id))));
        for (const [j, id] of slice.entries())
          out.set(
            id,
            (values[j] ?? []).map((r) =>
              r.removed === undefined && (r.seenAt ?? 0) < since ? { ...r, removed: 'unseen' as const } : r,
            ),
          );
      }
      return out;
    },
    async upsert(externalUserId, relation) {
      await index.upsertMany([{ externalUserId, relation }]);
    },
    async upsertMany(list) {
      const byCustomer = new Map<string, FollowRelation[]>();
      for (const { externalUserId, relation } of list)
        byCustomer.set(externalUserId, [...(byCustomer.get(externalUserId) ?? []), relation]);
      const ids = [...byCustomer.keys()];
      const current = await Promise.all(ids.map((id) => state.get<FollowRelation[]>(key(id))));
      await Promise.all(
        ids.map((id, i) => {
          let merged = current[i] ?? [];
          for (const relation of byCustomer.get(id)!) merged = mergeRelation(merged, relation);
          return state.set(key(id), merged);
        }),
      );
    },
    async remove(externalUserId, userid, by) {
      const current = (await state.get<FollowRelation[]>(key(externalUserId))) ?? [];
      if (!current.some((r) => r.userid === userid && r.removed !== by)) return;
      await state.set(
        key(externalUserId),
        current.map((r) => (r.userid === userid ? { ...r, removed: by } : r)),
      );
    },
  };
  return index;
}

/** One relation added or updated in a customer's list (sorted by userid); a re-added one is live again. */
function mergeRelation(current: readonly FollowRelation[], relation: FollowRelation): FollowRelation[] {
  const others = current.filter((r) => r.userid !== relation.userid);
  const before = current.find((r) => r.userid === relation.userid);
  const lastTalkAt = relation.lastTalkAt ?? before?.lastTalkAt;
  const seenAt = Math.max(relation.seenAt ?? 0, before?.seenAt ?? 0) || undefined;
  const merged: FollowRelation = {
    userid: relation.userid,
    addedAt: relation.addedAt,
    ...(lastTalkAt !== undefined ? { lastTalkAt } : {}),
    ...(seenAt !== undefined ? { seenAt } : {}),
  };
  return [...others, merged].sort((a, b) => a.userid.localeCompare(b.userid));
}
