import { isQunfaError } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWechat } from './fake-server.js';
import { AES_KEY, APP_ID, addFollowers, batchOf, oaFixture, PUSH_TOKEN } from './test-support.js';

let servers: FakeWechat[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function fixture(...args: Parameters<typeof oaFixture>) {
  const f = await oaFixture(...args);
  servers.push(f.server);
  return f;
}

async function rejected(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isQunfaError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('channel:wechat-oa callbacks', () => {
  it('answers the URL check with echostr, only when signed', async () => {
    const f = await fixture();
    const push = f.server.push({ MsgType: 'event', Event: 'VIEW', CreateTime: 1 });
    const get = { ...push, method: 'GET', body: '', query: { ...push.query, echostr: 'echo-123' } };
    expect(await f.oa.callback!(get, f.ctx)).toEqual({ response: { body: 'echo-123' } });
    const forged = { ...get, query: { ...get.query, signature: 'a'.repeat(40) } };
    expect(await rejected(f.oa.callback!(forged, f.ctx))).toBe('UNAUTHENTICATED');
  });

  it('subscribe and unsubscribe pushes are relation changes through the account; forged ones are refused', async () => {
    const f = await fixture();
    const [openid] = addFollowers(f.server, 1);
    const gone = await f.oa.callback!(f.server.unfollow(openid!), f.ctx);
    expect(f.server.account.followers.has(openid!)).toBe(false);
    expect(gone).toEqual({
      reach: [
        {
          identity: { kind: 'oa_openid', value: openid },
          account: APP_ID,
          change: 'removed_by_customer',
          at: f.clock.now(),
        },
      ],
      response: { body: 'success' },
    });
    f.clock.advance(1000);
    const back = await f.oa.callback!(f.server.follow(openid!), f.ctx);
    expect(back?.reach).toEqual([
      { identity: { kind: 'oa_openid', value: openid }, account: APP_ID, change: 'added', at: f.clock.now() },
    ]);
    const push = f.server.unfollow(openid!);
    const forged = { ...push, query: { ...push.query, signature: 'b'.repeat(40) } };
    expect(await rejected(f.oa.callback!(forged, f.ctx))).toBe('UNAUTHENTICATED');
  });

  it('protected sends wait for an administrator; a refusal or a timeout fails them with the reason', async () => {
    const f = await fixture({ protection: true }, { massSendProtection: true });
    const openids = addFollowers(f.server, 3);
    const outcomes = await f.oa.send(batchOf(openids, undefined, 'refused'), f.ctx);
    expect(outcomes.every((o) => o.status === 'sent' && o.awaitingConfirmation)).toBe(true);
    expect(await f.oa.queryStatus!(batchOf(openids, undefined, 'refused'), f.ctx)).toEqual(outcomes);

    const [job] = [...f.server.account.jobs.values()];
    f.server.account.refuse(job!.msgId);
    const refusal = await f.oa.callback!(f.server.jobFinishedPush(job!), f.ctx);
    expect(refusal?.events).toHaveLength(3);
    expect(refusal?.events?.[0]).toMatchObject({
      providerMessageId: outcomes[0]!.status === 'sent' ? outcomes[0]!.providerMessageId : '',
      state: 'failed',
      failure: 'content_rejected',
      error: expect.stringContaining('refused'),
    });
    expect(refusal?.response).toEqual({ body: 'success' });

    await f.oa.send(batchOf(openids, undefined, 'late'), f.ctx);
    f.clock.advance(31 * 60_000);
    const [late] = f.server.account.expireUnconfirmed();
    const timeout = await f.oa.callback!(f.server.jobFinishedPush(late!), f.ctx);
    // Nothing reached anyone: the engine hands them to the plan's next step at once.
    expect(timeout?.events?.[0]).toMatchObject({
      state: 'failed',
      failure: 'unconfirmed',
      error: expect.stringContaining('30 minutes'),
    });
    expect(await f.oa.queryStatus!(batchOf(openids, undefined, 'late'), f.ctx)).toMatchObject([
      { status: 'failed' },
      { status: 'failed' },
      { status: 'failed' },
    ]);

    await f.oa.send(batchOf(openids, undefined, 'ok'), f.ctx);
    const confirmed = f.server.account.confirm([...f.server.account.jobs.values()][2]!.msgId);
    // A confirmed job reports WeChat's totals; its deliveries are sent (no longer held), and no
    // follower is said to have got it.
    expect((await f.oa.callback!(f.server.jobFinishedPush(confirmed), f.ctx))?.events).toEqual(
      ['d-1', 'd-2', 'd-3'].map((id) => ({
        providerMessageId: `${confirmed.msgId}:${id}`,
        state: 'sent',
        at: f.clock.now(),
      })),
    );
    // Every verdict was reported: nothing is left for mass/get.
    expect(await f.oa.pollReceipts!(f.ctx)).toEqual([]);
    expect(await f.state.get(`job-totals/${confirmed.msgId}`)).toMatchObject({
      status: 'send success',
      sent: 3,
    });
    // What a campaign shows of its jobs: the totals as pushed, none for a job never pushed.
    expect(await f.oa.jobTotals([String(confirmed.msgId), '4242'], f.ctx)).toEqual([
      {
        msgId: String(confirmed.msgId),
        status: 'send success',
        total: 3,
        filtered: 3,
        sent: 3,
        errors: 0,
        at: f.clock.now().toISOString(),
      },
      undefined,
    ]);
  });

  it('checks a MASSSENDJOBFINISH signature: a forged one changes nothing', async () => {
    const f = await fixture();
    const openids = addFollowers(f.server, 2);
    await f.oa.send(batchOf(openids), f.ctx);
    const job = [...f.server.account.jobs.values()][0]!;
    job.state = 'failed';
    job.failStatus = 'err(10001)';
    const push = f.server.jobFinishedPush(job);
    const forged = {
      ...push,
      query: {
        ...push.query,
        signature: push.query.signature!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
      },
    };
    expect(await rejected(f.oa.callback!(forged, f.ctx))).toBe('UNAUTHENTICATED');
    expect(await f.state.get(`job-totals/${job.msgId}`)).toBeUndefined();
    const stale = { ...push, query: { ...push.query } };
    f.clock.advance(10 * 60_000);
    expect(await rejected(f.oa.callback!(stale, f.ctx))).toBe('UNAUTHENTICATED');
    f.clock.advance(-10 * 60_000);
    const result = await f.oa.callback!(push, f.ctx);
    expect(result?.events).toMatchObject([
      { state: 'failed', failure: 'content_rejected', error: expect.stringContaining('advertising') },
      { state: 'failed', failure: 'content_rejected' },
    ]);
    // WeChat's retry of the same push is accepted; the same nonce with another body is not.
    expect((await f.oa.callback!(push, f.ctx))?.events).toHaveLength(2);
    const swapped = { ...push, body: push.body.replace('err(10001)', 'send success') };
    expect(await rejected(f.oa.callback!(swapped, f.ctx))).toBe('UNAUTHENTICATED');
  });

  it('decrypts the safe mode, and refuses plain or foreign ciphertext once a key is set', async () => {
    const settings = { token: PUSH_TOKEN, encodingAESKey: AES_KEY };
    const f = await fixture({ callback: settings });
    const push = f.server.push({
      FromUserName: 'oFollower00000000000000000001',
      CreateTime: Math.floor(f.clock.now().getTime() / 1000),
      MsgType: 'text',
      Content: '退订',
      MsgId: 23_456_789_012,
    });
    const result = await f.oa.callback!(push, f.ctx);
    expect(result?.inbound).toEqual([
      {
        providerMessageId: '23456789012',
        from: { kind: 'oa_openid', value: 'oFollower00000000000000000001' },
        account: null,
        at: f.clock.now(),
        text: '退订',
      },
    ]);
    const other = await fixture({ appId: 'wx9999999999999999', callback: settings });
    const foreign = other.server.push({
      MsgType: 'text',
      Content: 'x',
      FromUserName: 'o1',
      MsgId: 1,
      CreateTime: 1,
    });
    expect(await rejected(f.oa.callback!(foreign, f.ctx))).toBe('UNAUTHENTICATED');
    const plain = await fixture();
    const unencrypted = plain.server.push({
      MsgType: 'text',
      Content: 'x',
      FromUserName: 'o1',
      MsgId: 2,
      CreateTime: 1,
    });
    expect(await rejected(f.oa.callback!(unencrypted, f.ctx))).toBe('UNAUTHENTICATED');
  });

  it('turns template results into receipts and followers’ media into inbound references', async () => {
    const f = await fixture();
    const [a, b] = addFollowers(f.server, 2);
    f.server.account.templates.add('TPL_ORDER');
    const content = {
      type: 'template' as const,
      subject: 'TPL_ORDER',
      text: 'first: 您好\nkeyword1: 双十一\nurl: https://example.com/o/1\nremark: 点击查看',
    };
    const outcomes = await f.oa.send(batchOf([a!, b!], content), f.ctx);
    const call = f.server.requests.find(
      (r) => r.path === '/cgi-bin/message/template/send' && r.body.touser === a,
    )!;
    expect(call.body).toEqual({
      touser: a,
      template_id: 'TPL_ORDER',
      url: 'https://example.com/o/1',
      client_msg_id: expect.stringMatching(/^qf[0-9a-f]{30}$/),
      data: { first: { value: '您好' }, keyword1: { value: '双十一' }, remark: { value: '点击查看' } },
    });
    const first = outcomes.find((o) => o.id === 'd-1')!;
    const msgid = first.status === 'sent' ? first.providerMessageId! : '';
    const at = Math.floor(f.clock.now().getTime() / 1000);
    const ok = f.server.push({
      FromUserName: a!,
      CreateTime: at,
      MsgType: 'event',
      Event: 'TEMPLATESENDJOBFINISH',
      MsgID: Number(msgid),
      Status: 'success',
    });
    expect((await f.oa.callback!(ok, f.ctx))?.events).toEqual([
      { providerMessageId: msgid, state: 'delivered', at: f.clock.now() },
    ]);
    const blocked = f.server.push({
      FromUserName: b!,
      CreateTime: at,
      MsgType: 'event',
      Event: 'TEMPLATESENDJOBFINISH',
      MsgID: 7,
      Status: 'failed:user block',
    });
    expect((await f.oa.callback!(blocked, f.ctx))?.events?.[0]).toMatchObject({
      state: 'failed',
      failure: 'blocked_by_user',
    });
    const image = f.server.push({
      FromUserName: a!,
      CreateTime: at,
      MsgType: 'image',
      PicUrl: 'http://x',
      MediaId: 'MEDIA_9',
      MsgId: 99,
    });
    expect((await f.oa.callback!(image, f.ctx))?.inbound?.[0]).toMatchObject({
      text: '',
      media: [{ type: 'image', ref: 'MEDIA_9' }],
    });
    expect(await f.oa.callback!({ ...image, path: '/other' }, f.ctx)).toBeUndefined();
  });
});
