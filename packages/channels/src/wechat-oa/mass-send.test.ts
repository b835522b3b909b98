import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWechat } from './fake-server.js';
import { APP_ID, APP_SECRET, addFollowers, batchOf, oaFixture, sentByJob } from './test-support.js';

let server: FakeWechat | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('channel:wechat-oa mass sends', () => {
  it('sends one mass/send per content, with the exact documented body, every recipient sent by job', async () => {
    const f = await oaFixture();
    server = f.server;
    const openids = addFollowers(f.server, 3);
    const outcomes = await f.oa.send(batchOf(openids), f.ctx);

    const calls = f.server.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual(['POST /cgi-bin/stable_token', 'POST /cgi-bin/message/mass/send']);
    expect(f.server.requests[0]!.body).toEqual({ grant_type: 'client_credential', appid: APP_ID });
    const body = f.server.requests[1]!.body;
    expect(body).toEqual({
      touser: openids,
      msgtype: 'text',
      text: { content: '双十一会员日' },
      send_ignore_reprint: 0,
      clientmsgid: expect.stringMatching(/^qf[0-9a-f]{62}$/),
    });
    const job = [...f.server.account.jobs.values()][0]!;
    expect(outcomes).toEqual(sentByJob(job.msgId, ['d-1', 'd-2', 'd-3']));
    expect(JSON.stringify(f.server.requests)).not.toContain(APP_SECRET);
  });

  it('maps news, images, voice and video to their documented message parts', async () => {
    const f = await oaFixture();
    server = f.server;
    const openids = addFollowers(f.server, 2);
    for (const id of ['DRAFT_1', 'IMG_1', 'IMG_2', 'VOICE_1', 'VIDEO_1']) f.server.account.media.add(id);
    const contents = [
      { type: 'news', text: 'DRAFT_1' },
      { type: 'image', text: 'IMG_1 IMG_2', subject: '推荐' },
      { type: 'voice', text: 'VOICE_1' },
      { type: 'video', text: 'VIDEO_1', subject: '新品' },
    ] as const;
    for (const [i, content] of contents.entries()) {
      const outcomes = await f.oa.send(batchOf(openids, content, `b-${i}`), f.ctx);
      expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    }
    const bodies = f.server.requests.filter((r) => r.path.endsWith('/mass/send')).map((r) => r.body);
    expect(bodies.map((b) => [b.msgtype, b[b.msgtype === 'image' ? 'images' : String(b.msgtype)]])).toEqual([
      ['mpnews', { media_id: 'DRAFT_1' }],
      ['image', { media_ids: ['IMG_1', 'IMG_2'], recommend: '推荐' }],
      ['voice', { media_id: 'VOICE_1' }],
      ['mpvideo', { media_id: 'VIDEO_1', title: '新品' }],
    ]);
  });

  it('repeats the clientmsgid on a retry, and takes 45065 with the existing msg_id as sent', async () => {
    const f = await oaFixture();
    server = f.server;
    const openids = addFollowers(f.server, 4);
    const first = await f.oa.send(batchOf(openids), f.ctx);
    const again = await f.oa.send(batchOf(openids), f.ctx);
    expect(again).toEqual(first);
    expect(f.server.account.jobs.size).toBe(1);
    const sends = f.server.requests.filter((r) => r.path.endsWith('/mass/send'));
    expect(sends[1]!.body.clientmsgid).toBe(sends[0]!.body.clientmsgid);
    // Another batch key is another job.
    await f.oa.send(batchOf(openids, undefined, 'batch-2'), f.ctx);
    expect(f.server.account.jobs.size).toBe(2);
    const followers = [...f.server.account.followers.values()];
    expect(followers.every((x) => x.massByMonth.get('2025-03') === 2)).toBe(true);
  });

  it('refreshes the token once on 42001 and 40001, shared with other workers through the plugin state', async () => {
    const f = await oaFixture();
    server = f.server;
    // A pair of followers a send: six sends to the same two would pass their monthly 4.
    const all = addFollowers(f.server, 12);
    const pair = (key: string) => all.slice(2 * 'abcdef'.indexOf(key), 2 * 'abcdef'.indexOf(key) + 2);
    await f.oa.send(batchOf(pair('a'), undefined, 'a'), f.ctx);
    f.server.expireTokens();
    expect((await f.oa.send(batchOf(pair('b'), undefined, 'b'), f.ctx))[0]!.status).toBe('sent');
    f.server.invalidateTokens();
    expect((await f.oa.send(batchOf(pair('c'), undefined, 'c'), f.ctx))[0]!.status).toBe('sent');
    const tokenCalls = () =>
      f.server.requests
        .filter((r) => r.path === '/cgi-bin/stable_token')
        .map((r) => r.body.force_refresh ?? false);
    expect(tokenCalls()).toEqual([false, false, false]);
    // WeChat refuses a token that stable_token still hands out: forced once, then the call goes.
    f.server.failNext('/cgi-bin/message/mass/send', 40001, 'invalid credential');
    expect((await f.oa.send(batchOf(pair('d'), undefined, 'd'), f.ctx))[0]!.status).toBe('sent');
    expect(tokenCalls()).toEqual([false, false, false, false, true]);
    // Another worker (same plugin state) uses the refreshed token without asking for one.
    const other = { ...f.ctx };
    await f.oa.send(batchOf(pair('e'), undefined, 'e'), other);
    expect(tokenCalls()).toHaveLength(5);
    // A token refused twice in a row is not refreshed in a loop: the call fails.
    f.server.failNext('/cgi-bin/message/mass/send', 40001, 'invalid credential', 2);
    const failed = await f.oa.send(batchOf(pair('f'), undefined, 'f'), f.ctx);
    expect(failed[0]).toMatchObject({ status: 'failed', failure: 'account_restricted' });
  });

  it('classifies WeChat errors for the engine and keeps secrets and openids out of them', async () => {
    const f = await oaFixture();
    server = f.server;
    const openids = addFollowers(f.server, 2);
    f.server.failNext('/cgi-bin/message/mass/send', 45009, 'reach max api daily quota limit');
    expect((await f.oa.send(batchOf(openids, undefined, 'q'), f.ctx))[0]).toMatchObject({
      status: 'failed',
      failure: 'rate_limited',
      retryAfterMs: 3_600_000,
    });
    f.server.failNext('/cgi-bin/message/mass/send', -1, 'system error', 5);
    const busy = await f.oa.send(batchOf(openids, undefined, 'r'), f.ctx);
    expect(busy[0]).toMatchObject({ status: 'failed', failure: 'network' });
    f.server.failNext('/cgi-bin/message/mass/send', 40003, `invalid openid hint: [${openids[0]}]`);
    const invalid = await f.oa.send(batchOf(openids, undefined, 's'), f.ctx);
    expect(invalid[0]).toMatchObject({ status: 'failed', failure: 'unknown' });
    expect(JSON.stringify(invalid)).not.toContain(openids[0]!);
    const media = await f.oa.send(batchOf(openids, { type: 'news', text: 'NO_SUCH_DRAFT' }, 't'), f.ctx);
    expect(media[0]).toMatchObject({ status: 'failed', failure: 'content_rejected' });
  });

  it('refuses what WeChat cannot mass-send without calling it', async () => {
    const f = await oaFixture();
    server = f.server;
    const [one] = addFollowers(f.server, 1);
    const alone = await f.oa.send(batchOf([one!]), f.ctx);
    expect(alone[0]).toMatchObject({ status: 'failed', failure: 'invalid_recipient' });
    const bad = await f.oa.send(batchOf([one!, one!], { type: 'markdown', text: '# x' }), f.ctx);
    expect(bad[0]).toMatchObject({ status: 'failed', failure: 'content_rejected' });
    expect(f.server.requests.filter((r) => r.path.includes('/message/'))).toEqual([]);

    const sub = await oaFixture({ accountType: 'subscription' });
    const openids = addFollowers(sub.server, 2);
    const refused = await sub.oa.send(batchOf(openids), sub.ctx);
    expect(refused[0]!).toMatchObject({ status: 'failed', failure: 'invalid_recipient' });
    expect(sub.server.requests).toEqual([]);
    await sub.server.close();
  });

  it('filters a service account follower past 4 mass sends a month, and WeChat says so only in the job totals', async () => {
    const f = await oaFixture();
    server = f.server;
    const openids = addFollowers(f.server, 3);
    f.server.account.followers.get(openids[0]!)!.massByMonth.set('2025-03', 4);
    const outcomes = await f.oa.send(batchOf(openids), f.ctx);
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    const job = [...f.server.account.jobs.values()][0]!;
    expect({ total: job.total, filtered: job.filtered, sent: job.sent }).toEqual({
      total: 3,
      filtered: 2,
      sent: 2,
    });
    const result = await f.oa.callback!(f.server.jobFinishedPush(job), f.ctx);
    expect(result?.events).toEqual([]);
    expect(await f.state.get(`job-totals/${job.msgId}`)).toMatchObject({
      total: 3,
      filtered: 2,
      sent: 2,
      errors: 0,
    });
  });
});
