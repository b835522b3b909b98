/**
 * An Official Account (service) mass send to FOLLOWERS followers (default 20,000, 3 tags) through
 * the engine (in-memory ports) and `channel:wechat-oa` against the fake WeChat: the follower read
 * (`user/get` + `user/info/batchget`), the time to plan and send, the calls made and the openids
 * each carried, then WeChat's MASSSENDJOBFINISH pushes applied. `OA_JOB=1` sends the step as one
 * platform job to every follower (`mass/sendall`, target `all`) instead of openid lists. Not a
 * test: `pnpm bench` (or `npx tsx run.ts`) prints the figures.
 */
import { loadavg } from 'node:os';
import { wechatOa } from '@qunfa/channels';
import { startFakeWechat } from '@qunfa/channels/wechat-oa/fake-server';
import { MemoryPluginState, scopePluginState, silentLogger } from '@qunfa/core';
import { createTestEngine, makeContact } from '@qunfa/core/testing';

const FOLLOWERS = Number(process.env.FOLLOWERS ?? 20_000);
const JOB = process.env.OA_JOB === '1';
const APP_ID = 'wx0123456789abcdef';
const openid = (i: number) => `oBench${String(i).padStart(22, '0')}`;

let harness: ReturnType<typeof createTestEngine> | undefined;
const now = () => harness?.clock.now() ?? new Date('2025-03-10T02:00:00Z');
const fake = await startFakeWechat({
  appId: APP_ID,
  appSecret: 'bench-secret',
  accountType: 'service',
  callback: { token: 'benchToken1' },
  now,
});
for (const [id, name] of [
  [100, '星标'],
  [101, '老客'],
  [102, '新客'],
] as const)
  fake.account.tags.set(id, name);
for (let i = 0; i < FOLLOWERS; i++) fake.account.addFollower(openid(i), { tagIds: [100 + (i % 3)] });
const channel = wechatOa({
  appId: APP_ID,
  appSecret: 'bench-secret',
  accountType: 'service',
  baseUrl: fake.url,
  callback: { token: 'benchToken1' },
});
const pluginState = new MemoryPluginState({ now });
harness = createTestEngine({
  plugins: [channel],
  start: '2025-03-10T02:00:00Z',
  engine: { pluginState, logger: silentLogger },
});
const t = harness;
const ctx = {
  signal: new AbortController().signal,
  now,
  state: scopePluginState(pluginState, channel.name),
  logger: silentLogger,
};
const ms = (from: number) => Number((performance.now() - from).toFixed(0));

let at = performance.now();
let read = 0;
for await (const page of channel.followers(ctx)) read += page.length;
const readMs = ms(at);

await t.addContacts(
  Array.from({ length: FOLLOWERS }, (_, i) =>
    makeContact({ id: String(i + 1), identities: [{ kind: 'oa_openid', value: openid(i) }] }),
  ),
);
const campaign = await t.addCampaign({
  id: 'bench',
  channelPlan: [
    { channel: 'channel:wechat-oa', trackLinks: false, ...(JOB ? { platformJob: { target: 'all' } } : {}) },
  ],
  variants: [{ id: 'v1', key: 'A', weight: 1, content: { type: 'text', text: '会员日，全场八折' } }],
});
const before = fake.requests.length;
at = performance.now();
await t.engine.start({ workspaceId: campaign.workspaceId, campaignId: campaign.id, actor: t.actor });
const planMs = ms(at);
at = performance.now();
await t.drain({ advance: true });
const sendMs = ms(at);
const sends = fake.requests.slice(before).filter((r) => r.path.startsWith('/cgi-bin/message/mass/send'));
at = performance.now();
for (const job of fake.account.jobs.values())
  await t.engine.handleCallback(channel.name, fake.jobFinishedPush(job));
const pushMs = ms(at);
const c = await t.store.counters(campaign.id);
console.log(
  JSON.stringify(
    {
      followers: FOLLOWERS,
      followerRead: {
        followers: read,
        ms: readMs,
        calls: fake.requests.filter((r) => r.path.startsWith('/cgi-bin/user/')).length,
      },
      planMs,
      sendMs,
      mode: JOB ? 'platform job (mass/sendall)' : 'openid lists (mass/send)',
      massSendCalls: sends.length,
      openidsPerCall: [...fake.account.jobs.values()].map((j) => j.openids.length),
      jobPushes: { jobs: fake.account.jobs.size, ms: pushMs },
      counters: { sent: c.sent, failed: c.failed, total: c.total },
      load: loadavg().map((l) => Number(l.toFixed(1))),
    },
    null,
    2,
  ),
);
await fake.close();
