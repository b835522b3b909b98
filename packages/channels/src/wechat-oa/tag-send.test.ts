import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWechat } from './fake-server.js';
import { addFollowers, batchOf, oaFixture, sentByJob } from './test-support.js';

const servers: FakeWechat[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A batch sent as a platform job to `target`. */
const jobOf = (openids: string[], target: string, key = 'job-batch-1') => ({
  ...batchOf(openids, undefined, key),
  job: { target },
});

describe('channel:wechat-oa mass send to a tag (platform job)', () => {
  it('sends one mass/sendall to the tag with the documented body, every recipient sent by job', async () => {
    const f = await oaFixture();
    servers.push(f.server);
    f.server.account.tags.set(101, '会员');
    const members = addFollowers(f.server, 3, [101]);
    const outcomes = await f.oa.send(jobOf(members, '101'), f.ctx);
    const sends = f.server.requests.filter((r) => r.path.includes('/message/'));
    expect(sends.map((r) => r.path)).toEqual(['/cgi-bin/message/mass/sendall']);
    expect(sends[0]!.body).toEqual({
      filter: { is_to_all: false, tag_id: 101 },
      msgtype: 'text',
      text: { content: '双十一会员日' },
      send_ignore_reprint: 0,
      clientmsgid: expect.stringMatching(/^qf[0-9a-f]{62}$/),
    });
    const job = [...f.server.account.jobs.values()][0]!;
    expect(job.openids).toEqual(members);
    expect(outcomes).toEqual(sentByJob(job.msgId, ['d-1', 'd-2', 'd-3']));
  });

  it('repeats the clientmsgid on a retry of the batch: 45065 names the existing job, sent once', async () => {
    const f = await oaFixture({ accountType: 'subscription' });
    servers.push(f.server);
    f.server.account.tags.set(7, '老客');
    const members = addFollowers(f.server, 2, [7]);
    const first = await f.oa.send(jobOf(members, '7'), f.ctx);
    const again = await f.oa.send(jobOf(members, '7'), f.ctx);
    expect(again).toEqual(first);
    expect(f.server.account.jobs.size).toBe(1);
    const bodies = f.server.requests
      .filter((r) => r.path.endsWith('/sendall'))
      .map((r) => r.body.clientmsgid);
    expect(bodies[1]).toBe(bodies[0]);
    // A subscription account's second job of the day is refused by WeChat (45028).
    // Its quota comes back at China midnight (10:00 now: 14 h, and a minute's margin), not in an hour.
    const second = await f.oa.send(jobOf(members, '7', 'job-batch-2'), f.ctx);
    expect(second[0]).toMatchObject({
      status: 'failed',
      failure: 'rate_limited',
      retryAfterMs: 14 * 3_600_000 + 60_000,
    });
    expect(f.server.account.jobs.size).toBe(1);
    f.clock.advance(14 * 3_600_000 - 60_000);
    expect((await f.oa.send(jobOf(members, '7', 'job-batch-2'), f.ctx))[0]).toMatchObject({
      status: 'failed',
    });
    f.clock.advance(2 * 60_000);
    expect((await f.oa.send(jobOf(members, '7', 'job-batch-2'), f.ctx))[0]).toMatchObject({ status: 'sent' });
    expect(f.server.account.jobs.size).toBe(2);
  });

  it('sends to every follower with the target "all", and awaits confirmation under protection', async () => {
    const f = await oaFixture({ protection: true }, { massSendProtection: true });
    servers.push(f.server);
    const everyone = addFollowers(f.server, 2);
    const outcomes = await f.oa.send(jobOf(everyone, 'all'), f.ctx);
    const body = f.server.requests.find((r) => r.path.endsWith('/sendall'))!.body;
    expect(body.filter).toEqual({ is_to_all: true });
    expect(outcomes.every((o) => o.status === 'sent' && o.awaitingConfirmation)).toBe(true);
  });

  it('refuses without calling WeChat: a bad target, template content, two contents in one job', async () => {
    const f = await oaFixture();
    servers.push(f.server);
    const members = addFollowers(f.server, 2, [101]);
    const bad = await f.oa.send(jobOf(members, 'vip'), f.ctx);
    expect(bad.map((o) => o.status === 'failed' && o.failure)).toEqual([
      'invalid_recipient',
      'invalid_recipient',
    ]);
    const template = {
      ...jobOf(members, '101'),
      messages: members.map((address, i) => ({
        id: `t-${i}`,
        address,
        content: { type: 'template' as const, subject: 'TPL_1', text: 'first: 你好' },
      })),
    };
    expect((await f.oa.send(template, f.ctx))[0]).toMatchObject({
      status: 'failed',
      failure: 'content_rejected',
    });
    const mixed = jobOf(members, '101');
    mixed.messages[1] = { ...mixed.messages[1]!, content: { type: 'text', text: '另一条' } };
    const outcomes = await f.oa.send(mixed, f.ctx);
    expect(outcomes.map((o) => o.status === 'failed' && o.failure)).toEqual([
      'content_rejected',
      'content_rejected',
    ]);
    expect(f.server.requests.filter((r) => r.path.includes('/message/'))).toEqual([]);
  });

  it('finds a crashed job again by its clientmsgid (queryStatus, mass/get)', async () => {
    const f = await oaFixture();
    servers.push(f.server);
    f.server.account.tags.set(101, '会员');
    const members = addFollowers(f.server, 2, [101]);
    const sent = await f.oa.send(jobOf(members, '101'), f.ctx);
    const found = await f.oa.queryStatus!(jobOf(members, '101'), f.ctx);
    expect(found).toEqual(sent);
    expect(await f.oa.queryStatus!(jobOf(members, '101', 'never-sent'), f.ctx)).toEqual([]);
  });
});
