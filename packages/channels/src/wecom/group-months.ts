import { type GroupMetricInput, type PluginState, readMany } from '@qunfa/core';
import { type GroupRecord, groupKey } from './groups.js';

/**
 * Members when a month began (`YYYY-MM`, China time): members now, less every join and plus every
 * leave counted from that month on. Null while the members were never counted (no sync yet).
 */
export function membersAtStart(group: GroupRecord, month: string): number | null {
  if (group.members === undefined) return null;
  let n = group.members;
  for (const [m, change] of Object.entries(group.months)) if (m >= month) n += change.leaves - change.joins;
  return Math.max(0, n);
}

/** One group's month as a group metric reads it. */
export function groupMonth(group: GroupRecord, month: string): GroupMetricInput {
  const m = group.months[month] ?? { joins: 0, leaves: 0 };
  return {
    month,
    members: group.members ?? null,
    membersAtStart: membersAtStart(group, month),
    joins: m.joins,
    leaves: m.leaves,
  };
}

/**
 * Many groups' month in one read of the channel's state (`getMany` where the backend has it):
 * what `metric:group-*` plugins compute from. A group the channel never heard of has no members
 * counted and no joins or leaves.
 */
export async function groupMonths(
  state: PluginState,
  chatIds: readonly string[],
  month: string,
): Promise<Map<string, GroupMetricInput>> {
  const records = await readMany<GroupRecord>(state, chatIds.map(groupKey));
  return new Map(
    chatIds.map((chatId, i) => [
      chatId,
      groupMonth(records[i] ?? { chatId, months: {}, versions: [] }, month),
    ]),
  );
}
