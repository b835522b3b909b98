import type { PluginState } from '@qunfa/core';

/** A staff member (follow user) who has an external contact as a customer. */
export interface FollowRelation {
  /** The member's userid. */
  userid: string;
  /** When the member added the customer (`createtime`, epoch s). */
  addedAt: number;
  /** When they last talked, where known (session archive, an import), epoch s. */
  lastTalkAt?: number;
  /** The member deleted the customer (`del_external_contact`) or the customer deleted the member (`del_follow_user`). */
  removed?: 'by_staff' | 'by_customer';
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
  remove(externalUserId: string, userid: string, by: NonNullable<FollowRelation['removed']>): Promise<void>;
}

const key = (externalUserId: string) => `follow/${externalUserId}`;

export function stateRelations(state: PluginState): RelationIndex {
  const index: RelationIndex = {
    async get(ids) {
      const out = new Map<string, FollowRelation[]>();
      const SLICE = 200;
      for (let i = 0; i < ids.length; i += SLICE) {
        const slice = ids.slice(i, i + SLICE);
        const values = await Promise.all(slice.map((id) => state.get<FollowRelation[]>(key(id))));
        for (const [j, id] of slice.entries()) out.set(id, values[j] ?? []);
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
  const merged: FollowRelation = {
    userid: relation.userid,
    addedAt: relation.addedAt,
    ...(lastTalkAt !== undefined ? { lastTalkAt } : {}),
  };
  return [...others, merged].sort((a, b) => a.userid.localeCompare(b.userid));
}
