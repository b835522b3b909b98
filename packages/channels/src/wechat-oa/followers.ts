import type { OaClient } from './client.js';
import type { TokenContext } from './token.js';

/** One follower as WeChat describes it (user/info/batchget). */
export interface OaFollower {
  openid: string;
  /** Present when the account is bound to an Open Platform account: merges with WeCom and CSV contacts. */
  unionid: string | null;
  tagIds: number[];
  subscribedAt: Date | null;
}

export interface OaTag {
  id: number;
  name: string;
  /** Followers with the tag, as WeChat counts them. */
  count: number;
}

/** user/info/batchget takes at most 100 openids a call. */
const BATCH = 100;

/** The account's tags (`GET /cgi-bin/tags/get`). */
export async function readTags(client: OaClient, ctx: TokenContext): Promise<OaTag[]> {
  const answer = await client.get('/cgi-bin/tags/get', {}, ctx);
  const tags = Array.isArray(answer.tags) ? (answer.tags as Record<string, unknown>[]) : [];
  return tags.map((t) => ({ id: Number(t.id), name: String(t.name ?? ''), count: Number(t.count ?? 0) }));
}

/**
 * Every follower, page by page: `GET /cgi-bin/user/get` (10,000 openids a page, from
 * `next_openid`), then `POST /cgi-bin/user/info/batchget` in calls of 100 for unionid and tags.
 * A follower who unsubscribed between the two calls (`subscribe: 0`) is left out.
 */
export async function* readFollowers(client: OaClient, ctx: TokenContext): AsyncGenerator<OaFollower[]> {
  let next = '';
  for (;;) {
    const page = await client.get('/cgi-bin/user/get', next ? { next_openid: next } : {}, ctx);
    const data = page.data as { openid?: unknown } | undefined;
    const openids = Array.isArray(data?.openid) ? (data.openid as string[]) : [];
    for (let i = 0; i < openids.length; i += BATCH) {
      const answer = await client.post(
        '/cgi-bin/user/info/batchget',
        { user_list: openids.slice(i, i + BATCH).map((openid) => ({ openid, lang: 'zh_CN' })) },
        ctx,
      );
      const infos = Array.isArray(answer.user_info_list)
        ? (answer.user_info_list as Record<string, unknown>[])
        : [];
      yield infos
        .filter((u) => u.subscribe === 1)
        .map((u) => ({
          openid: String(u.openid),
          unionid: typeof u.unionid === 'string' && u.unionid !== '' ? u.unionid : null,
          tagIds: Array.isArray(u.tagid_list) ? (u.tagid_list as unknown[]).map(Number) : [],
          subscribedAt: typeof u.subscribe_time === 'number' ? new Date(u.subscribe_time * 1000) : null,
        }));
    }
    next = typeof page.next_openid === 'string' ? page.next_openid : '';
    if (openids.length === 0 || next === '') return;
  }
}
