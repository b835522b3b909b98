import { err, ok, type Route } from './route.js';

const PAGE = 10_000;
const BATCH = 100;

/** `user/get`: followers' openids, 10,000 a page, from `next_openid`. */
export const userGet: Route = (account, req) => {
  const all = [...account.followers.keys()];
  const after = req.query.next_openid ?? '';
  const start = after === '' ? 0 : all.indexOf(after) + 1;
  if (after !== '' && start === 0) return err(40003, 'invalid openid');
  const page = all.slice(start, start + PAGE);
  return {
    total: all.length,
    count: page.length,
    ...(page.length > 0 ? { data: { openid: page } } : {}),
    next_openid: page.length > 0 && start + page.length < all.length ? page[page.length - 1] : '',
  };
};

/** `user/info/batchget`: up to 100 followers' details, tags and unionid included. */
export const userInfoBatchGet: Route = (account, req) => {
  const list = req.body.user_list;
  if (!Array.isArray(list) || list.length === 0 || list.length > BATCH) return err(40035, 'invalid args');
  return {
    user_info_list: list.map((entry) => {
      const openid = String((entry as { openid?: unknown }).openid ?? '');
      const f = account.followers.get(openid);
      if (!f) return { subscribe: 0, openid };
      return {
        subscribe: 1,
        openid,
        language: 'zh_CN',
        subscribe_time: f.subscribeTime,
        ...(f.unionid ? { unionid: f.unionid } : {}),
        remark: '',
        groupid: 0,
        tagid_list: [...f.tagIds],
        subscribe_scene: 'ADD_SCENE_QR_CODE',
        qr_scene: 0,
        qr_scene_str: '',
      };
    }),
  };
};

/** `tags/get`: the account's tags with their follower counts. */
export const tagsGet: Route = (account) => ({
  tags: [...account.tags].map(([id, name]) => ({
    id,
    name,
    count: [...account.followers.values()].filter((f) => f.tagIds.includes(id)).length,
  })),
});

/** `tags/getidlist`: one follower's tag ids. */
export const tagsGetIdList: Route = (account, req) => {
  const f = account.followers.get(String(req.body.openid ?? ''));
  return f ? ok({ tagid_list: [...f.tagIds] }) : err(40003, 'invalid openid');
};
