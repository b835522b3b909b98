import { isQunfaError, type ReplyMessage } from '@qunfa/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWechat } from './fake-server.js';
import { addFollowers, oaFixture } from './test-support.js';

const servers: FakeWechat[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const HOUR = 3600_000;

const answer = (openid: string, key: string, lastInboundAt?: Date): ReplyMessage => ({
  inReplyTo: { providerMessageId: '7001' },
  to: { kind: 'oa_openid', value: openid },
  account: null,
  content: { type: 'text', text: '您好，已为您登记' },
  idempotencyKey: key,
  ...(lastInboundAt ? { lastInboundAt } : {}),
});

async function fixture() {
  const f = await oaFixture();
  servers.push(f.server);
  const [openid] = addFollowers(f.server, 1);
  // The follower writes: WeChat opens the 48-hour window.
  f.server.push({ FromUserName: openid!, CreateTime: 1, MsgType: 'text', Content: '请问', MsgId: 7001 });
  return { ...f, openid: openid! };
}

describe('channel:wechat-oa replies to a follower (客服消息)', () => {
  it('sends one message/custom/send with the documented body, once per reply key', async () => {
    const f = await fixture();
    const outcome = await f.oa.reply!(answer(f.openid, 'r-1', f.clock.now()), f.ctx);
    expect(outcome).toEqual({ id: 'r-1', status: 'sent', providerMessageId: 'custom:r-1' });
    const calls = f.server.requests.filter((r) => r.path === '/cgi-bin/message/custom/send');
    expect(calls.map((r) => r.body)).toEqual([
      { touser: f.openid, msgtype: 'text', text: { content: '您好，已为您登记' } },
    ]);
    // A retry of the same reply is answered from the first, not sent again.
    expect(await f.oa.reply!(answer(f.openid, 'r-1', f.clock.now()), f.ctx)).toEqual(outcome);
    expect(f.server.account.customSends).toHaveLength(1);
  });

  it('refuses outside the 48-hour window with REPLY_WINDOW_CLOSED, calling nothing', async () => {
    const f = await fixture();
    const wrote = f.clock.now();
    f.clock.advance(48 * HOUR + 1000);
    const error = await f.oa.reply!(answer(f.openid, 'r-2', wrote), f.ctx).catch((e: unknown) => e);
    expect(isQunfaError(error, 'REPLY_WINDOW_CLOSED')).toBe(true);
    expect((error as Error).message).toMatch(/more than 48 hours ago/);
    expect(f.server.requests.filter((r) => r.path.includes('/message/'))).toEqual([]);
    // Once the window closed, a later attempt with the same key is refused the same way, not "sent".
    const again = await f.oa.reply!(answer(f.openid, 'r-2', wrote), f.ctx).catch((e: unknown) => e);
    expect(isQunfaError(again, 'REPLY_WINDOW_CLOSED')).toBe(true);
  });

  it('takes WeChat’s 45015 (window closed, or unfollowed) and 45047 (answers used up) as REPLY_WINDOW_CLOSED', async () => {
    const f = await fixture();
    // Qunfa does not know when the follower wrote: WeChat decides.
    f.clock.advance(49 * HOUR);
    const late = await f.oa.reply!(answer(f.openid, 'r-3'), f.ctx).catch((e: unknown) => e);
    expect(isQunfaError(late, 'REPLY_WINDOW_CLOSED')).toBe(true);
    expect((late as QunfaErrorLike).details).toEqual({ errcode: 45015 });
    f.server.push({ FromUserName: f.openid, CreateTime: 2, MsgType: 'text', Content: '在吗', MsgId: 7002 });
    for (let i = 0; i < 5; i++) {
      expect((await f.oa.reply!(answer(f.openid, `r-4-${i}`), f.ctx)).status).toBe('sent');
    }
    const sixth = await f.oa.reply!(answer(f.openid, 'r-4-5'), f.ctx).catch((e: unknown) => e);
    expect(isQunfaError(sixth, 'REPLY_WINDOW_CLOSED')).toBe(true);
    expect((sixth as QunfaErrorLike).details).toEqual({ errcode: 45047 });
    // Refused, not remembered: once the follower writes again the same key goes out.
    f.server.push({ FromUserName: f.openid, CreateTime: 3, MsgType: 'text', Content: '？', MsgId: 7003 });
    expect((await f.oa.reply!(answer(f.openid, 'r-4-5'), f.ctx)).status).toBe('sent');
  });

  it('fails what it cannot send as a reply, and keeps a timed-out one uncertain', async () => {
    const f = await fixture();
    const email = { ...answer(f.openid, 'r-5'), to: { kind: 'email' as const, value: 'a@example.com' } };
    expect(await f.oa.reply!(email, f.ctx)).toMatchObject({ status: 'failed', failure: 'invalid_recipient' });
    const image = { ...answer(f.openid, 'r-6'), content: { type: 'image' as const, text: 'MEDIA' } };
    expect(await f.oa.reply!(image, f.ctx)).toMatchObject({ status: 'failed', failure: 'content_rejected' });
    await f.server.close();
    const lost = await f.oa.reply!(answer(f.openid, 'r-7'), f.ctx);
    expect(lost).toMatchObject({ id: 'r-7', status: 'uncertain' });
    expect(await f.oa.reply!(answer(f.openid, 'r-7'), f.ctx)).toMatchObject({ status: 'uncertain' });
  });
});

type QunfaErrorLike = Error & { details: Record<string, unknown> };
