import type { WechatOaChannel } from '@qunfa/channels';
import type { SyncRunner } from './sync-runner.js';

/** OA follower details are read 100 openids a call (`user/info/batchget`). */
const INFO_BATCH = 100;

interface FollowerCursor {
  /** The `next_openid` the current `user/get` page was read from ('' the first). */
  nextOpenid: string;
  /** Followers of that page already stored. */
  offset: number;
}

const cursorOf = (raw: Record<string, unknown>): FollowerCursor => ({
  nextOpenid: typeof raw.nextOpenid === 'string' ? raw.nextOpenid : '',
  offset: Number.isInteger(raw.offset) && (raw.offset as number) > 0 ? (raw.offset as number) : 0,
});

/**
 * The Official Account's tags (`tags/get`) and followers (`user/get` pages of 10,000 from
 * `next_openid`, then `user/info/batchget` by 100) into contacts with their `oa_openid`, their
 * `unionid` where the account is bound to an Open Platform account (it merges them with WeCom and
 * CSV contacts), the followers' tags (a tag taken off at WeChat comes off), and "reachable through
 * <AppID>". The position is saved after every 100: a failed run reads the same `user/get` page
 * again and goes on from there. A completed run ends the relation of every follower it did not
 * see (they unfollowed): they are not planned on the channel any more.
 */
export const oaSync: SyncRunner<WechatOaChannel> = {
  stage: 'followers',
  sweep: true,
  async readTags(channel, ctx) {
    return (await channel.tags(ctx)).map((t) => ({ externalId: String(t.id), name: t.name }));
  },
  async run(channel, ctx, run) {
    let at = run.restart ? { nextOpenid: '', offset: 0 } : cursorOf(run.cursor);
    for (;;) {
      const page = await channel.followerIds(ctx, at.nextOpenid);
      for (let i = at.offset; i < page.openids.length; i += INFO_BATCH) {
        await run.pace();
        const followers = await channel.followerInfo(ctx, page.openids.slice(i, i + INFO_BATCH));
        const stored = await run.store(
          followers.map((f) => ({
            identities: [
              { kind: 'oa_openid' as const, value: f.openid },
              ...(f.unionid ? [{ kind: 'unionid' as const, value: f.unionid }] : []),
            ],
            name: null,
            tagIds: f.tagIds.flatMap((id) => {
              const tag = run.tagIds.get(String(id));
              return tag === undefined ? [] : [tag];
            }),
            reach: {
              channel: channel.name,
              account: channel.config.appId,
              addedAt: f.subscribedAt,
              remark: null,
            },
          })),
          // batchget lists a follower's tags in full: a tag taken off at WeChat comes off here.
          { replaceTags: [...run.tagIds.values()] },
        );
        at = { ...at, offset: Math.min(i + INFO_BATCH, page.openids.length) };
        await run.save({
          stage: 'followers',
          cursor: { ...at },
          add: { pages: 1, records: followers.length, ...stored },
        });
      }
      if (page.next === '') return;
      at = { nextOpenid: page.next, offset: 0 };
      await run.save({ stage: 'followers', cursor: { ...at } });
    }
  },
};
