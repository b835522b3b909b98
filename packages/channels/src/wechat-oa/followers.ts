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
export const FOLLOWER_INFO_BATCH = 100;
const BATCH = FOLLOWER_INFO_BATCH;

/** The account's tags (`GET /cgi-bin/tags/get`). */
export async function readTags(client: OaClient, ctx: TokenContext): Promise<OaTag[]> {
  const answer = await client.get('/cgi-bin/tags/get', {}, ctx);
  const tags = Array.isArray(answer.tags) ? (answer.tags as Record<string, unknown>[]) : [];
  return tags.map((t) => ({ id: Number(t.id), name: String(t.name ?? ''), count: Number(t.count ?? 0) }));
}

/** One page of `GET /cgi-bin/user/get`: up to 10,000 openids and where the next page starts ('' at the end). */
export async function readFollowerIds(
  client: OaClient,
  ctx: TokenContext,
  nextOpenid: string,
): Promise<{ openids: string[]; next: string }> {
  const page = await client.get('/cgi-bin/user/get', nextOpenid ? { next_openid: nextOpenid } : {}, ctx);
  const data = page.data as { openid?: unknown } | undefined;
  const openids = Array.isArray(data?.openid) ? (data.openid as unknown[]).map(String) : [];
  const next = typeof page.next_openid === 'string' ? page.next_openid : '';
  // An empty page ends the list whatever next_openid says (WeChat repeats the last one).
  return { openids, next: openids.length === 0 ? '' : next };
}

/**
 * Followers' details (`POST /cgi-bin/user/info/batchget`, at most 100 openids a call): unionid,
 * tag ids, subscribe time. A follower who unsubscribed meanwhile (`subscribe: 0`) is left out.
 */
export async function readFollowerInfo(
  client: OaClient,
  ctx: TokenContext,
  openids: readonly string[],
): Promise<OaFollower[]> {
  if (openids.length === 0) return [];
  if (openids.length > BATCH) throw new RangeError(`user/info/batchget takes at most ${BATCH} openids`);
  const answer = await client.post(
    '/cgi-bin/user/info/batchget',
    { user_list: openids.map((openid) => ({ openid, lang: 'zh_CN' })) },
    ctx,
  );
  const infos = Array.isArray(answer.user_info_list)
    ? (answer.user_info_list as Record<string, unknown>[])
    : [];
  return infos
    .filter((u) => u.subscribe === 1)
    .map((u) => ({
      openid: String(u.openid),
      unionid: typeof u.unionid === 'string' && u.unionid !== '' ? u.unionid : null,
      tagIds: Array.isArray(u.tagid_list) ? (u.tagid_list as unknown[]).map(Number) : [],
      subscribedAt: typeof u.subscribe_time === 'number' ? new Date(u.subscribe_time * 1000) : null,
    }));
}

/**
 * Every follower, page by page: `user/get` (10,000 openids a page, from `next_openid`), then
 * `user/info/batchget` in calls of 100 for unionid and tags.
 */
export async function* readFollowers(client: OaClient, ctx: TokenContext): AsyncGenerator<OaFollower[]> {
  let next = '';
  for (;;) {
    const page = await readFollowerIds(client, ctx, next);
    for (let i = 0; i < page.openids.length; i += BATCH)
      yield readFollowerInfo(client, ctx, page.openids.slice(i, i + BATCH));
    if (page.next === '') return;
    next = page.next;
  }
}
