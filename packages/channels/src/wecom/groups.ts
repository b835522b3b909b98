import type { PluginState } from '@qunfa/core';
import { text, type XmlObject } from '../wechat-oa/xml.js';
import { membersAtStart } from './group-months.js';

/** What the channel knows of one customer group (客户群), from the sync and `change_external_chat`. */
export interface GroupRecord {
  chatId: string;
  name?: string;
  owner?: string;
  /** Members now, where known (the sync's `member_list`, then joins and leaves). */
  members?: number;
  dismissed?: boolean;
  /** `change_external_chat` said the owner changed (the push does not say to whom): ask `groupchat/get` before sending. */
  ownerStale?: boolean;
  /** Epoch ms a sync, `groupchat/get` or a `change_external_chat` last saw it at WeCom. */
  seenAt?: number;
  /** Joins and leaves by month (`YYYY-MM`, UTC+8). */
  months: Record<string, { joins: number; leaves: number }>;
  /** Member-list versions already counted (`CurMemVer`), the last few. */
  versions: string[];
}

export const groupKey = (chatId: string) => `group/${chatId}`;

/** The month of an instant in China time (UTC+8), `YYYY-MM`. */
export const chinaMonth = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

export async function readGroup(state: PluginState, chatId: string): Promise<GroupRecord> {
  return (await state.get<GroupRecord>(groupKey(chatId))) ?? { chatId, months: {}, versions: [] };
}

/**
 * `change_external_chat`: created, dismissed, members joined or left (counted once per member
 * list version, so a repeated push counts once), a new owner (marked stale: the push does not
 * name them, so the next send asks `groupchat/get`).
 */
export async function recordChatChange(message: XmlObject, state: PluginState): Promise<void> {
  const chatId = text(message, 'ChatId');
  if (chatId === '') return;
  const at = new Date(Number(text(message, 'CreateTime')) * 1000);
  const group = await readGroup(state, chatId);
  const change = text(message, 'ChangeType');
  if (change === 'dismiss') group.dismissed = true;
  else group.seenAt = Math.max(group.seenAt ?? 0, at.getTime() || 0);
  if (change === 'update') {
    const detail = text(message, 'UpdateDetail');
    if (detail === 'change_owner') group.ownerStale = true;
    const version = text(message, 'CurMemVer');
    const count = Number(text(message, 'MemChangeCnt')) || 1;
    if (
      (detail === 'add_member' || detail === 'del_member') &&
      !(version && group.versions.includes(version))
    ) {
      const month = chinaMonth(at);
      const m = group.months[month] ?? { joins: 0, leaves: 0 };
      if (detail === 'add_member') m.joins += count;
      else m.leaves += count;
      group.months[month] = m;
      if (group.members !== undefined)
        group.members = Math.max(0, group.members + (detail === 'add_member' ? count : -count));
      if (version) group.versions = [...group.versions, version].slice(-20);
    }
  }
  await state.set(groupKey(chatId), group);
}

/** Group health as seed 004 measures it: members, joins and leaves in a month, 退群率 (healthy under 5 %). */
export interface GroupHealth {
  chatId: string;
  month: string;
  members: number | null;
  joins: number;
  leaves: number;
  /** Leaves over the members at the month's start (members now, less the joins and plus the leaves of that month and every later one); null when unknown. */
  quitRate: number | null;
  healthy: boolean | null;
}

export function groupHealth(group: GroupRecord, month: string, threshold = 0.05): GroupHealth {
  const m = group.months[month] ?? { joins: 0, leaves: 0 };
  const members = group.members ?? null;
  const atStart = membersAtStart(group, month);
  const quitRate = atStart === null || atStart <= 0 ? null : m.leaves / atStart;
  return {
    chatId: group.chatId,
    month,
    members,
    joins: m.joins,
    leaves: m.leaves,
    quitRate,
    healthy: quitRate === null ? null : quitRate < threshold,
  };
}
