import type { ChannelContext } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { groupKey, readGroup } from './groups.js';
import { type FollowRelation, markSwept, stateRelations } from './relations.js';

/** An external contact as the sync found it, for the app to merge into its contacts. */
export interface SyncedCustomer {
  externalUserId: string;
  name: string;
  unionid?: string;
  /** Corp tag ids (`tag_id`) the follow user set on them. */
  tagIds: string[];
  /** The follow user whose record this is, with their remark, add time and way. */
  followUser: { userid: string; remark: string; addedAt: number; addWay: number };
}

/** A customer group (客户群) as the sync found it (`groupchat/get`), for the app to keep as a group contact. */
export interface SyncedGroup {
  chatId: string;
  name: string;
  /** The owner's userid (群主): the staff member who sends to the group. */
  owner: string;
  /** Members now (staff and customers). */
  members: number;
  /** `create_time`, epoch s. */
  createdAt: number;
}

/** What one sync call did; `done` false: call again to go on from where it stopped. */
export interface SyncProgress {
  stage: 'customers' | 'groups' | 'done';
  followUsers: number;
  customers: number;
  groups: number;
  done: boolean;
}

/** Where a sync is: kept in the shared state after every page, so a failed sync resumes there. */
interface Cursor {
  stage: 'customers' | 'groups' | 'done';
  followUsers: string[];
  userIndex: number;
  cursor: string;
  groupCursor: string;
  customers: number;
  groups: number;
  /** When this sync began (epoch ms): once complete, what it did not see has ended (`markSwept`). */
  since?: number;
}

const KEY = 'sync/cursor';
/** `batch/get_by_user` takes up to 100 userids and returns up to 100 records a page. */
const USERS_PER_CALL = 100;

/**
 * Syncs customers, follow relations and customer groups from WeCom: the staff with customer
 * contact (`get_follow_user_list`), their customers page by page (`batch/get_by_user`, cursor),
 * then groups (`groupchat/list` by cursor, `groupchat/get` each). Relations and groups go into
 * the shared state (upserts: running it twice changes nothing); each customer page is handed to
 * `onCustomers` for the app to merge by `wecom_external_userid` / `unionid`, each group page to
 * `onGroups` (owner, name, member count) for the app to keep as group contacts by `wecom_chat_id`. The position is
 * saved after every page: after a failure, the next call goes on from there. Only a sync that
 * completes ends what it did not see (a relation no longer listed, a group gone): from then on
 * `stateRelations().get` reads such a relation as removed (`unseen`), and a send to such a group
 * asks `groupchat/get` first. A failed or partial sync ends nothing; nothing is ever deleted.
 */
export async function syncFromWecom(
  client: WecomClient,
  ctx: ChannelContext,
  options: {
    onCustomers?: (page: SyncedCustomer[]) => Promise<void>;
    onGroups?: (page: SyncedGroup[]) => Promise<void>;
    onProgress?: (p: SyncProgress) => void;
    restart?: boolean;
  } = {},
): Promise<SyncProgress> {
  let at = options.restart ? undefined : await ctx.state.get<Cursor>(KEY);
  if (!at || at.stage === 'done') {
    const users = await client.get('/cgi-bin/externalcontact/get_follow_user_list', {}, ctx);
    const followUsers = Array.isArray(users.follow_user) ? users.follow_user.map(String).sort() : [];
    at = {
      stage: 'customers',
      followUsers,
      userIndex: 0,
      cursor: '',
      groupCursor: '',
      customers: 0,
      groups: 0,
      since: ctx.now().getTime(),
    };
    await ctx.state.set(KEY, at);
  }
  const progress = (): SyncProgress => ({
    stage: at!.stage,
    followUsers: at!.followUsers.length,
    customers: at!.customers,
    groups: at!.groups,
    done: at!.stage === 'done',
  });
  const relations = stateRelations(ctx.state);
  while (at.stage === 'customers') {
    const userids = at.followUsers.slice(at.userIndex, at.userIndex + USERS_PER_CALL);
    if (userids.length === 0) {
      at = { ...at, stage: 'groups' };
      await ctx.state.set(KEY, at);
      break;
    }
    const page = await client.post(
      '/cgi-bin/externalcontact/batch/get_by_user',
      { userid_list: userids, ...(at.cursor ? { cursor: at.cursor } : {}), limit: 100 },
      ctx,
    );
    const records =
      (page.external_contact_list as Record<string, Record<string, unknown>>[] | undefined) ?? [];
    const customers: SyncedCustomer[] = [];
    const follows: { externalUserId: string; relation: FollowRelation }[] = [];
    for (const r of records) {
      const c = r.external_contact ?? {};
      const f = r.follow_info ?? {};
      const externalUserId = String(c.external_userid ?? '');
      const userid = String(f.userid ?? '');
      if (externalUserId === '' || userid === '') continue;
      const addedAt = Number(f.createtime) || 0;
      follows.push({ externalUserId, relation: { userid, addedAt, seenAt: ctx.now().getTime() } });
      customers.push({
        externalUserId,
        name: String(c.name ?? ''),
        ...(typeof c.unionid === 'string' && c.unionid ? { unionid: c.unionid } : {}),
        tagIds: Array.isArray(f.tag_id) ? f.tag_id.map(String) : [],
        followUser: { userid, remark: String(f.remark ?? ''), addedAt, addWay: Number(f.add_way) || 0 },
      });
    }
    await relations.upsertMany(follows);
    await options.onCustomers?.(customers);
    const next = String(page.next_cursor ?? '');
    at = next
      ? { ...at, cursor: next, customers: at.customers + customers.length }
      : {
          ...at,
          cursor: '',
          userIndex: at.userIndex + USERS_PER_CALL,
          customers: at.customers + customers.length,
        };
    await ctx.state.set(KEY, at);
    options.onProgress?.(progress());
  }
  while (at.stage === 'groups') {
    const page = await client.post(
      '/cgi-bin/externalcontact/groupchat/list',
      { status_filter: 0, limit: 1000, ...(at.groupCursor ? { cursor: at.groupCursor } : {}) },
      ctx,
    );
    const chats = (page.group_chat_list as { chat_id: string }[] | undefined) ?? [];
    const synced: SyncedGroup[] = [];
    for (const { chat_id } of chats) {
      const detail = await client.post(
        '/cgi-bin/externalcontact/groupchat/get',
        { chat_id, need_name: 1 },
        ctx,
      );
      const g = (detail.group_chat ?? {}) as Record<string, unknown>;
      const group = await readGroup(ctx.state, chat_id);
      const found: SyncedGroup = {
        chatId: chat_id,
        name: String(g.name ?? ''),
        owner: String(g.owner ?? ''),
        members: Array.isArray(g.member_list) ? g.member_list.length : 0,
        createdAt: Number(g.create_time) || 0,
      };
      await ctx.state.set(groupKey(chat_id), {
        ...group,
        name: found.name,
        owner: found.owner,
        members: found.members,
        dismissed: false,
        ownerStale: false,
        seenAt: ctx.now().getTime(),
      });
      synced.push(found);
    }
    await options.onGroups?.(synced);
    const next = String(page.next_cursor ?? '');
    at = {
      ...at,
      groupCursor: next,
      groups: at.groups + chats.length,
      ...(next ? {} : { stage: 'done' as const }),
    };
    await ctx.state.set(KEY, at);
    // Complete: every live relation and group was seen since it began; the others have ended.
    if (at.stage === 'done' && at.since !== undefined) await markSwept(ctx.state, at.since);
    options.onProgress?.(progress());
  }
  return progress();
}

/** Corp tags (`get_corp_tag_list`): the tag groups and their tags, to map onto the app's tags (kept apart from operators' own). */
export async function corpTags(
  client: WecomClient,
  ctx: ChannelContext,
): Promise<{ groupId: string; groupName: string; tags: { id: string; name: string }[] }[]> {
  const answer = await client.post('/cgi-bin/externalcontact/get_corp_tag_list', {}, ctx);
  const groups = (answer.tag_group as Record<string, unknown>[] | undefined) ?? [];
  return groups
    .filter((g) => !g.deleted)
    .map((g) => ({
      groupId: String(g.group_id ?? ''),
      groupName: String(g.group_name ?? ''),
      tags: ((g.tag as Record<string, unknown>[] | undefined) ?? [])
        .filter((t) => !t.deleted)
        .map((t) => ({ id: String(t.id ?? ''), name: String(t.name ?? '') })),
    }));
}
