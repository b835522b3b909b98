import type { FakeCorp } from './corp.js';
import { type Answer, err, type FakeRequest, ok } from './route.js';

const secs = (d: Date) => Math.floor(d.getTime() / 1000);
const allowed = (req: FakeRequest) => req.credential === 'contact' || req.credential.startsWith('app-');

/** `externalcontact/get_follow_user_list` (获取配置了客户联系功能的成员列表). */
export function getFollowUserList(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const users = new Set<string>();
  for (const follows of corp.customers.follows.values()) for (const u of follows.keys()) users.add(u);
  return ok({ follow_user: [...users].sort() });
}

/** `externalcontact/batch/get_by_user` (批量获取客户详情): up to 100 userids, pages of up to 100 by cursor. */
export function batchGetByUser(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const userids = Array.isArray(req.body.userid_list) ? (req.body.userid_list as string[]) : [];
  if (userids.length === 0 || userids.length > 100) return err(40058, 'userid_list holds 1 to 100 userids');
  const limit = Math.min(Math.max(Number(req.body.limit ?? 50) || 50, 1), 100);
  const offset = req.body.cursor ? Number(Buffer.from(String(req.body.cursor), 'base64url').toString()) : 0;
  if (!Number.isInteger(offset) || offset < 0) return err(40058, 'invalid cursor');
  const records: Answer[] = [];
  for (const [external, follows] of [...corp.customers.follows].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [userid, rel] of follows) {
      if (!userids.includes(userid) || rel.deleted) continue;
      const profile = corp.customers.profiles.get(external);
      records.push({
        external_contact: {
          external_userid: external,
          name: profile?.name ?? '',
          type: 1,
          ...(profile?.unionid ? { unionid: profile.unionid } : {}),
        },
        follow_info: {
          userid,
          remark: rel.remark ?? '',
          description: '',
          createtime: secs(rel.addedAt),
          tag_id: [...(rel.tagIds ?? [])],
          remark_mobiles: [],
          add_way: 1,
        },
      });
    }
  }
  const slice = records.slice(offset, offset + limit);
  const next =
    offset + limit < records.length ? Buffer.from(String(offset + limit)).toString('base64url') : '';
  return ok({ external_contact_list: slice, next_cursor: next });
}

/** `externalcontact/groupchat/list` (获取客户群列表): by cursor, 1 to 1000 a page. */
export function groupchatList(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const limit = Number(req.body.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return err(40058, 'limit must be 1 to 1000');
  const offset = req.body.cursor ? Number(req.body.cursor) : 0;
  const all = [...corp.groups.values()].sort((a, b) => a.chatId.localeCompare(b.chatId));
  const slice = all.slice(offset, offset + limit);
  return ok({
    group_chat_list: slice.map((g) => ({ chat_id: g.chatId, status: 0 })),
    next_cursor: offset + limit < all.length ? String(offset + limit) : '',
  });
}

/** `externalcontact/groupchat/get` (获取客户群详情). */
export function groupchatGet(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const g = corp.groups.get(String(req.body.chat_id ?? ''));
  if (!g) return err(40050, 'invalid chat_id');
  return ok({
    group_chat: {
      chat_id: g.chatId,
      name: g.name,
      owner: g.owner,
      create_time: secs(g.createTime),
      member_list: g.members.map((m) => ({
        userid: m.userid,
        type: m.type,
        join_time: secs(m.joinTime),
        join_scene: 1,
      })),
      admin_list: [],
      member_version: String(g.members.length),
    },
  });
}

/** `externalcontact/get_corp_tag_list` (获取企业标签库). */
export function getCorpTagList(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  return ok({ tag_group: corp.customers.tagGroups });
}
