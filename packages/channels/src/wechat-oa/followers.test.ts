import { testChannelContext } from '@qunfa/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatOa } from './channel.js';
import { type FakeWechat, startFakeWechat } from './fake-server.js';
import type { OaFollower } from './followers.js';
import { APP_ID, APP_SECRET } from './test-support.js';

describe('channel:wechat-oa follower and tag sync', () => {
  let server: FakeWechat;
  beforeAll(async () => {
    server = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, accountType: 'service' });
    server.account.tags.set(100, '会员');
    server.account.tags.set(101, '北京');
    for (let i = 0; i < 1000; i++) {
      server.account.addFollower(`oFollower${String(i).padStart(20, '0')}`, {
        tagIds: i % 2 === 0 ? [100] : i % 3 === 0 ? [100, 101] : [],
        ...(i % 10 === 0 ? {} : { unionid: `oUnion${i}` }),
      });
    }
  });
  afterAll(() => server.close());

  it('reads 1,000 followers with unionid and tags, 100 a batchget call', async () => {
    const oa = wechatOa({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      baseUrl: server.url,
    });
    const ctx = testChannelContext();
    const tags = await oa.tags(ctx);
    expect(tags).toEqual([
      { id: 100, name: '会员', count: 667 },
      { id: 101, name: '北京', count: 167 },
    ]);
    const followers: OaFollower[] = [];
    for await (const page of oa.followers(ctx)) {
      expect(page.length).toBeLessThanOrEqual(100);
      followers.push(...page);
    }
    expect(followers).toHaveLength(1000);
    expect(followers[3]).toMatchObject({
      openid: 'oFollower00000000000000000003',
      unionid: 'oUnion3',
      tagIds: [100, 101],
    });
    expect(followers[10]?.unionid).toBeNull();
    const calls = server.requests.filter(
      (r) => r.path.startsWith('/cgi-bin/user/') || r.path.startsWith('/cgi-bin/tags/'),
    );
    expect(calls.map((r) => r.path).filter((p) => p === '/cgi-bin/user/info/batchget')).toHaveLength(10);
    expect(calls.filter((r) => r.path === '/cgi-bin/user/get')).toHaveLength(1);
    const batch = calls.find((r) => r.path === '/cgi-bin/user/info/batchget')?.body as {
      user_list: unknown[];
    };
    expect(batch.user_list[0]).toEqual({ openid: 'oFollower00000000000000000000', lang: 'zh_CN' });
  });
});
