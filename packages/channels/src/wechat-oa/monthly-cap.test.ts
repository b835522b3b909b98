import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWechat } from './fake-server.js';
import { addFollowers, batchOf, oaFixture } from './test-support.js';

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

const touserOf = (server: FakeWechat) =>
  server.requests.filter((r) => r.path === '/cgi-bin/message/mass/send').map((r) => r.body.touser);

describe('channel:wechat-oa: a service account follower’s 4 mass messages a month', () => {
  it('leaves out and reports filtered the followers who already got 4 this month; a retry sends the same list', async () => {
    const f = await fixture();
    const [a, b, c, d] = addFollowers(f.server, 4);
    for (let i = 0; i < 4; i++) await f.oa.send(batchOf([a!, b!], undefined, `earlier-${i}`), f.ctx);
    expect(f.server.account.followers.get(a!)?.massByMonth.get('2025-03')).toBe(4);

    const fifth = batchOf([a!, b!, c!, d!], undefined, 'fifth');
    const outcomes = await f.oa.send(fifth, f.ctx);
    const reason = expect.stringContaining('already received 4 mass messages from the account in 2025-03');
    expect(outcomes.slice(0, 2)).toEqual([
      { id: 'd-1', status: 'filtered', reason },
      { id: 'd-2', status: 'filtered', reason },
    ]);
    expect(outcomes.slice(2).map((o) => [o.id, o.status])).toEqual([
      ['d-3', 'sent'],
      ['d-4', 'sent'],
    ]);
    expect(touserOf(f.server).at(-1)).toEqual([c, d]);
    // WeChat had nothing to filter: the capped followers were never in the call.
    expect(f.server.account.followers.get(a!)?.massByMonth.get('2025-03')).toBe(4);
    expect(f.server.account.followers.get(c!)?.massByMonth.get('2025-03')).toBe(1);

    // A retry of the same batch is not a fifth message for c and d: the same list, the same
    // clientmsgid, answered 45065 with the first job's msg_id.
    const jobs = f.server.account.jobs.size;
    expect(await f.oa.send(fifth, f.ctx)).toEqual(outcomes);
    const calls = f.server.requests.filter((r) => r.path === '/cgi-bin/message/mass/send');
    expect(calls.at(-1)!.body).toEqual(calls.at(-2)!.body);
    expect(f.server.account.jobs.size).toBe(jobs);
    expect(await f.oa.queryStatus!(fifth, f.ctx)).toEqual(outcomes);
  });

  it('counts by China-time month: on the 1st (00:00 UTC+8) the four are free again', async () => {
    const f = await fixture();
    const [a, b] = addFollowers(f.server, 2);
    for (let i = 0; i < 4; i++) await f.oa.send(batchOf([a!, b!], undefined, `march-${i}`), f.ctx);
    // 2025-03-31 15:59 UTC is still March in China; 16:00 UTC is April 1st.
    f.clock.advance(Date.parse('2025-03-31T15:59:00Z') - f.clock.now().getTime());
    expect((await f.oa.send(batchOf([a!, b!], undefined, 'late-march'), f.ctx)).map((o) => o.status)).toEqual(
      ['filtered', 'filtered'],
    );
    f.clock.advance(60_000);
    expect((await f.oa.send(batchOf([a!, b!], undefined, 'april'), f.ctx)).map((o) => o.status)).toEqual([
      'sent',
      'sent',
    ]);
    expect(f.server.account.followers.get(a!)?.massByMonth.get('2025-04')).toBe(1);
  });

  it('under protection a send counts once WeChat sent it: not while waiting, not when dropped', async () => {
    const f = await fixture({ protection: true }, { massSendProtection: true });
    const [a, b] = addFollowers(f.server, 2);
    const send = (key: string) => f.oa.send(batchOf([a!, b!], undefined, key), f.ctx);
    const finish = async () => {
      for (const job of f.server.account.jobs.values())
        if (f.server.account.statusOf(job) !== undefined)
          await f.oa.callback!(f.server.jobFinishedPush(job), f.ctx);
    };
    // Four sends nobody confirms: WeChat drops them after 30 minutes, none counts.
    for (let i = 0; i < 4; i++) await send(`dropped-${i}`);
    f.clock.advance(31 * 60_000);
    await finish();
    // Four confirmed: each counts once its push says it was sent.
    for (let i = 0; i < 4; i++) {
      await send(`confirmed-${i}`);
      f.server.account.confirm(f.server.account.nextMsgId - 1);
    }
    expect((await send('waiting')).map((o) => o.status)).toEqual(['sent', 'sent']);
    f.server.account.refuse(f.server.account.nextMsgId - 1);
    await finish();
    expect((await send('fifth')).map((o) => o.status)).toEqual(['filtered', 'filtered']);
  });
});
