import { afterEach, describe, expect, it } from 'vitest';
import { wecom } from './channel.js';
import type { FakeWecom } from './fake-server.js';
import { AGENT_ID, APP_SECRET, addMembers, CORP_ID, memberBatch, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function fixture(...args: Parameters<typeof wecomFixture>) {
  const f = await wecomFixture(...args);
  server = f.server;
  return f;
}

const sends = (s: FakeWecom) => s.requests.filter((r) => r.path === '/cgi-bin/message/send');
const tokens = (s: FakeWecom) => s.requests.filter((r) => r.path === '/cgi-bin/gettoken');

describe('application messages (message/send)', () => {
  it('sends the documented request: one gettoken, then touser joined by | with the duplicate check', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 3);
    const outcomes = await plugin.send(memberBatch(users), ctx);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
    expect(tokens(server)).toEqual([
      { method: 'GET', path: '/cgi-bin/gettoken', query: { corpid: CORP_ID }, body: {} },
    ]);
    expect(sends(server)).toEqual([
      {
        method: 'POST',
        path: '/cgi-bin/message/send',
        query: {},
        body: {
          touser: 'member0001|member0002|member0003',
          msgtype: 'text',
          agentid: AGENT_ID,
          text: { content: '双十一会员日' },
          safe: 0,
          enable_duplicate_check: 1,
          duplicate_check_interval: 14_400,
        },
      },
    ]);
    const first = outcomes[0]!;
    expect(first.status === 'sent' && first.providerMessageId).toMatch(new RegExp(`^app:${AGENT_ID}:m`));
    expect(server.corp.received('member0002')).toHaveLength(1);
  });

  it('chunks touser at the documented 1,000', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 2500);
    const outcomes = await plugin.send(memberBatch(users), ctx);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(2500);
    expect(sends(server).map((r) => String(r.body.touser).split('|').length)).toEqual([1000, 1000, 500]);
    expect(new Set(server.corp.inbox.map((m) => m.userid)).size).toBe(2500);
  });

  it('fails exactly the invaliduser and unlicenseduser members, sends the others', async () => {
    const { server, plugin, ctx } = await fixture();
    server.corp.addMember('Alice');
    server.corp.addMember('bob', { licensed: false });
    server.corp.addMember('carol', { visible: false });
    const outcomes = await plugin.send(memberBatch(['Alice', 'bob', 'carol', 'nobody']), ctx);
    expect(outcomes.map((o) => (o.status === 'sent' ? 'sent' : o.failure))).toEqual([
      'sent',
      'invalid_recipient',
      'invalid_recipient',
      'invalid_recipient',
    ]);
    expect(server.corp.inbox.map((m) => m.userid)).toEqual(['alice']);
  });

  it('every member invalid (81013) fails them all as invalid_recipient', async () => {
    const { plugin, ctx } = await fixture();
    const outcomes = await plugin.send(memberBatch(['ghost1', 'ghost2']), ctx);
    expect(outcomes.map((o) => o.status === 'failed' && o.failure)).toEqual([
      'invalid_recipient',
      'invalid_recipient',
    ]);
  });

  it('a re-sent batch is not delivered twice (enable_duplicate_check within the interval)', async () => {
    const { server, plugin, ctx, clock } = await fixture();
    const users = addMembers(server, 2);
    await plugin.send(memberBatch(users), ctx);
    clock.advance(60_000);
    const again = await plugin.send(memberBatch(users), ctx);
    expect(again.every((o) => o.status === 'sent')).toBe(true);
    expect(sends(server)).toHaveLength(2);
    expect(sends(server)[0]!.body).toEqual(sends(server)[1]!.body);
    expect(server.corp.inbox).toHaveLength(2);
  });

  it('holds back members over 30 a minute as rate_limited, so WeCom drops nothing', async () => {
    const { server, plugin, ctx, clock } = await fixture();
    server.corp.addMember('busy');
    const statuses: string[] = [];
    for (let i = 0; i < 31; i++) {
      const [o] = await plugin.send(
        memberBatch(['busy'], { type: 'text', text: `通知 ${i}` }, `b-${i}`),
        ctx,
      );
      statuses.push(o!.status === 'sent' ? 'sent' : `${o!.failure}:${o!.retryAfterMs}`);
      clock.advance(1000);
    }
    expect(statuses.slice(0, 30).every((s) => s === 'sent')).toBe(true);
    expect(statuses[30]).toBe('rate_limited:30000');
    expect(server.corp.dropped).toHaveLength(0);
    clock.advance(30_000);
    const [later] = await plugin.send(memberBatch(['busy'], { type: 'text', text: 'later' }, 'b-later'), ctx);
    expect(later!.status).toBe('sent');
  });
});

describe('access tokens (gettoken)', () => {
  for (const [what, code, act] of [
    ['expired (42001)', 42001, (s: FakeWecom) => s.expireTokens()],
    ['invalid (40014)', 40014, (s: FakeWecom) => s.invalidateTokens()],
  ] as const) {
    it(`refreshes once when the token is ${what} and makes the call again`, async () => {
      const { server, plugin, ctx } = await fixture();
      const users = addMembers(server, 1);
      await plugin.send(memberBatch(users, { type: 'text', text: 'a' }, 'a'), ctx);
      act(server);
      const [o] = await plugin.send(memberBatch(users, { type: 'text', text: 'b' }, 'b'), ctx);
      expect(o!.status).toBe('sent');
      expect(tokens(server)).toHaveLength(2);
      expect(sends(server)).toHaveLength(3);
      expect(code).toBeGreaterThan(0);
    });
  }

  it('refreshes on 40001 once; a second refusal is not retried again', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    server.failNext('/cgi-bin/message/send', 40001, 'invalid credential', 2);
    const [o] = await plugin.send(memberBatch(users), ctx);
    expect(o).toMatchObject({ status: 'failed', failure: 'account_restricted' });
    expect(tokens(server)).toHaveLength(2);
    expect(sends(server)).toHaveLength(2);
  });

  it('one token per secret, shared by two channel instances through the plugin state', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    const twin = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      baseUrl: server.url,
    });
    await plugin.send(memberBatch(users, { type: 'text', text: 'a' }, 'a'), ctx);
    await twin.send(memberBatch(users, { type: 'text', text: 'b' }, 'b'), ctx);
    expect(tokens(server)).toHaveLength(1);
  });

  it('a wrong secret fails as account_restricted without the secret in the error', async () => {
    const { server, ctx } = await fixture();
    addMembers(server, 1);
    const wrong = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: 'not-the-secret-xyz' }],
      baseUrl: server.url,
    });
    const [o] = await wrong.send(memberBatch(['member0001']), ctx);
    expect(o).toMatchObject({ status: 'failed', failure: 'account_restricted' });
    expect(JSON.stringify(o)).not.toContain('not-the-secret-xyz');
  });
});

describe('error codes', () => {
  it('-1 (system busy) is retried with back-off, then sent', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    server.failNext('/cgi-bin/message/send', -1, 'system busy', 2);
    const [o] = await plugin.send(memberBatch(users), ctx);
    expect(o!.status).toBe('sent');
    expect(sends(server)).toHaveLength(3);
  });

  it('-1 past the retries fails as network', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    server.failNext('/cgi-bin/message/send', -1, 'system busy', 5);
    const [o] = await plugin.send(memberBatch(users), ctx);
    expect(o).toMatchObject({ status: 'failed', failure: 'network' });
    expect(sends(server)).toHaveLength(3);
  });

  it.each([
    [45009, 'rate_limited', 60_000],
    [45033, 'rate_limited', 1000],
    [60020, 'account_restricted', undefined],
    [48002, 'account_restricted', undefined],
    [40056, 'account_restricted', undefined],
    [44004, 'content_rejected', undefined],
    [45002, 'content_rejected', undefined],
    [40008, 'content_rejected', undefined],
    [99999, 'unknown', undefined],
  ])('%i → %s', async (code, failure, retryAfterMs) => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 2);
    server.failNext('/cgi-bin/message/send', code, 'injected, hint: [1700000000_1_abc], from ip: 1.2.3.4');
    const outcomes = await plugin.send(memberBatch(users), ctx);
    for (const o of outcomes) {
      expect(o).toMatchObject({ status: 'failed', failure });
      if (o.status === 'failed') {
        expect(o.retryAfterMs).toBe(retryAfterMs);
        expect(o.error).not.toContain('from ip');
      }
    }
  });

  it('a refused call gives the member quota back', async () => {
    const { server, plugin, ctx } = await fixture({}, { memberPerMinute: 1 });
    const users = addMembers(server, 1);
    server.failNext('/cgi-bin/message/send', 45009);
    const [refused] = await plugin.send(memberBatch(users), ctx);
    expect(refused).toMatchObject({ failure: 'rate_limited' });
    const [o] = await plugin.send(memberBatch(users), ctx);
    expect(o!.status).toBe('sent');
  });
});

describe('content', () => {
  const PNG = `data:image/png;base64,${Buffer.from('fake-png-bytes-0123456789').toString('base64')}`;

  it('uploads an image once (media/upload) and reuses its media_id in later batches', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 2);
    await plugin.send(memberBatch(users, { type: 'image', text: PNG }, 'i1'), ctx);
    await plugin.send(memberBatch(users, { type: 'image', text: PNG }, 'i2'), ctx);
    const uploads = server.requests.filter((r) => r.path === '/cgi-bin/media/upload');
    expect(uploads).toEqual([
      { method: 'POST', path: '/cgi-bin/media/upload', query: { type: 'image' }, body: { multipart: true } },
    ]);
    const mediaId = [...server.corp.media.keys()][0];
    expect(sends(server).map((r) => r.body.image)).toEqual([{ media_id: mediaId }, { media_id: mediaId }]);
    // The same request within the duplicate-check interval: answered, delivered once.
    expect(server.corp.received('member0001').map((m) => m.msgtype)).toEqual(['image']);
  });

  it('uploads again when WeCom no longer knows the media id (40007)', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    await plugin.send(memberBatch(users, { type: 'image', text: PNG }, 'i1'), ctx);
    server.corp.media.clear();
    const [o] = await plugin.send(memberBatch(users, { type: 'image', text: PNG }, 'i2'), ctx);
    expect(o!.status).toBe('sent');
    expect(server.requests.filter((r) => r.path === '/cgi-bin/media/upload')).toHaveLength(2);
  });

  it('sends markdown, text cards and articles as documented', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    await plugin.send(memberBatch(users, { type: 'markdown', text: '**会员日** 8 折' }, 'm'), ctx);
    await plugin.send(
      memberBatch(
        users,
        {
          type: 'link',
          subject: '领取优惠券',
          text: '今天有效\nurl: https://shop.example.com/c\nbtntxt: 领取',
        },
        'l',
      ),
      ctx,
    );
    await plugin.send(
      memberBatch(
        users,
        {
          type: 'news',
          subject: '新品',
          text: '春季上新\nurl: https://shop.example.com/n\npicurl: https://img.example.com/p.jpg',
        },
        'n',
      ),
      ctx,
    );
    expect(sends(server).map((r) => [r.body.msgtype, r.body[String(r.body.msgtype)]])).toEqual([
      ['markdown', { content: '**会员日** 8 折' }],
      [
        'textcard',
        { title: '领取优惠券', description: '今天有效', url: 'https://shop.example.com/c', btntxt: '领取' },
      ],
      [
        'news',
        {
          articles: [
            {
              title: '新品',
              url: 'https://shop.example.com/n',
              description: '春季上新',
              picurl: 'https://img.example.com/p.jpg',
            },
          ],
        },
      ],
    ]);
  });

  it('refuses content WeCom would refuse, without a call', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 1);
    const outcomes = [
      ...(await plugin.send(memberBatch(users, { type: 'text', text: '长'.repeat(700) }, 'x'), ctx)),
      ...(await plugin.send(memberBatch(users, { type: 'template', text: 'a: b', subject: 't' }, 'y'), ctx)),
      ...(await plugin.send(memberBatch(users, { type: 'link', text: 'no url', subject: 't' }, 'z'), ctx)),
    ];
    expect(outcomes.map((o) => o.status === 'failed' && o.failure)).toEqual([
      'content_rejected',
      'content_rejected',
      'content_rejected',
    ]);
    expect(sends(server)).toHaveLength(0);
  });
});

describe('recall (message/recall)', () => {
  it('recalls a sent message by its msgid', async () => {
    const { server, plugin, ctx } = await fixture();
    const users = addMembers(server, 2);
    const [o] = await plugin.send(memberBatch(users), ctx);
    if (o!.status !== 'sent' || !o!.providerMessageId) throw new Error('not sent');
    await plugin.recall!(o!.providerMessageId, ctx);
    const recall = server.requests.find((r) => r.path === '/cgi-bin/message/recall');
    expect(recall?.body).toEqual({ msgid: o!.providerMessageId.split(':')[2] });
    expect(server.corp.inbox.every((m) => m.recalled)).toBe(true);
  });

  it('refuses an id that is not an application message of this corp', async () => {
    const { plugin, ctx } = await fixture();
    await expect(plugin.recall!('something-else', ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
