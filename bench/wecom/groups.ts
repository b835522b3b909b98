/**
 * A group mass send to 10,000 WeCom customer groups over 20 owners, straight through
 * `channel:wecom` (no engine) against the fake WeCom server: the group sync, one batch of
 * 10,000 group deliveries (one task per owner), every owner confirming, the results, the reach.
 * Not a test: `npx tsx groups.ts` prints the figures. `GROUPS=… OWNERS=…` change the size.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { wecom } from '@qunfa/channels';
import { startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { MemoryPluginState, MemoryRateLimiter } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';

const GROUPS = Number(process.env.GROUPS ?? 10_000);
const OWNERS = Number(process.env.OWNERS ?? 20);
let now = new Date('2025-03-10T02:00:00Z');
const clock = () => now;
const corp = { corpId: 'ww0123456789abcdef', apps: [{ agentId: 1000002, secret: 'bench-app-secret' }] };
const fake = await startFakeWecom({ ...corp, contactSecret: 'bench-contact-secret', now: clock });
const channel = wecom({ ...corp, contactSecret: 'bench-contact-secret', baseUrl: fake.url });
const ctx = testChannelContext({
  now: clock,
  state: new MemoryPluginState({ now: clock }),
  limiter: new MemoryRateLimiter(),
});

const chatIds: string[] = [];
let members = 0;
for (let i = 0; i < GROUPS; i++) {
  const chatId = `wrBench${String(i).padStart(6, '0')}`;
  const size = 3 + (i % 50);
  members += size;
  chatIds.push(chatId);
  fake.corp.groups.set(chatId, {
    chatId,
    name: `群${i}`,
    owner: `owner${String(i % OWNERS).padStart(2, '0')}`,
    createTime: now,
    members: Array.from({ length: size }, (_, m) => ({
      userid: `wm${i}x${m}`,
      type: 2 as const,
      joinTime: now,
    })),
  });
}

const timed = async <T>(run: () => Promise<T>) => {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const requests = fake.requests.length;
  const value = await run();
  const used = process.cpuUsage(cpu);
  return {
    value,
    ms: Math.round(performance.now() - t),
    cpuMs: Math.round((used.user + used.system) / 1000),
    requests: fake.requests.length - requests,
  };
};

const sync = await timed(() => channel.sync(ctx));
const send = await timed(() =>
  channel.send(
    {
      batchId: 'b1',
      campaignId: 'c1',
      account: null,
      idempotencyKey: 'b1',
      messages: chatIds.map((c, i) => ({
        id: `d${i}`,
        address: `group:${c}`,
        content: { type: 'text', text: '今晚 8 点抽奖' },
      })),
    },
    ctx,
  ),
);
for (const task of fake.corp.customers.tasks.values()) fake.corp.customers.confirm(task.msgid);
now = new Date(now.getTime() + 120_000);
const poll = await timed(async () => {
  const events = [];
  for (let i = 0; i < 5 && events.length < GROUPS; i++) {
    events.push(...(await channel.pollReceipts!(ctx)));
    now = new Date(now.getTime() + 3_600_000);
  }
  return events;
});
const adds = fake.requests.filter((r) => r.path.endsWith('/add_msg_template'));
console.log(
  JSON.stringify(
    {
      load: loadavg()[0]!.toFixed(1),
      groups: GROUPS,
      owners: OWNERS,
      sync: { ms: sync.ms, cpuMs: sync.cpuMs, requests: sync.requests },
      send: {
        ms: send.ms,
        cpuMs: send.cpuMs,
        requests: send.requests,
        addMsgTemplate: adds.length,
        largestChatIdList: Math.max(...adds.map((a) => (a.body.chat_id_list as string[]).length)),
        awaitingConfirmation: send.value.filter((o) => o.status === 'sent' && o.awaitingConfirmation).length,
      },
      results: {
        ms: poll.ms,
        requests: poll.requests,
        delivered: poll.value.filter((e) => e.state === 'delivered').length,
      },
      reach: await channel.groupReach('c1', ctx),
      membersInFake: members,
    },
    null,
    2,
  ),
);
await fake.close();
