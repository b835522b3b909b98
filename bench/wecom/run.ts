/**
 * A WeCom customer mass send to 10,000 external contacts over 20 staff senders, through the
 * engine (in-memory ports, fake clock) and `channel:wecom` against the fake WeCom server: the
 * sync, the time to plan and send, the requests made, and how many were delivered, filtered by
 * the platform cap, and escalated to SMS after the confirmation deadline. Not a test:
 * `pnpm bench` (or `npx tsx run.ts`) prints the figures. `CUSTOMERS=… SENDERS=…` change the size.
 */
import { loadavg } from 'node:os';
import { sandbox, wecom } from '@qunfa/channels';
import { startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { MemoryPluginState, scopePluginState, silentLogger } from '@qunfa/core';
import { createTestEngine, makeContact } from '@qunfa/core/testing';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 10_000);
const SENDERS = Number(process.env.SENDERS ?? 20);
/** Senders who never confirm: their customers go to SMS after the deadline. */
const SILENT = Math.round(SENDERS / 5);
/** Customers who already had this month's mass messages: WeCom answers status 3. */
const AT_CAP = Math.round(CUSTOMERS / 10);
const HOUR = 3_600_000;

const senders = Array.from({ length: SENDERS }, (_, i) => `staff${String(i).padStart(2, '0')}`);
const external = (i: number) => `wmBench${String(i).padStart(6, '0')}`;

let harness: ReturnType<typeof createTestEngine> | undefined;
const now = () => harness?.clock.now() ?? new Date('2025-03-10T02:00:00Z');
const fake = await startFakeWecom({
  corpId: 'ww0123456789abcdef',
  apps: [{ agentId: 1000002, secret: 'bench-app-secret' }],
  contactSecret: 'bench-contact-secret',
  now,
});
for (let i = 0; i < CUSTOMERS; i++) {
  // Each customer has one sender; every 7th a second one who added them later.
  fake.corp.customers.addCustomer(external(i), senders[i % SENDERS]!, new Date(1_700_000_000_000 + i * 1000));
  if (i % 7 === 0)
    fake.corp.customers.addCustomer(external(i), senders[(i + 3) % SENDERS]!, new Date(1_720_000_000_000));
}
const channel = wecom({
  corpId: 'ww0123456789abcdef',
  apps: [{ agentId: 1000002, secret: 'bench-app-secret' }],
  contactSecret: 'bench-contact-secret',
  baseUrl: fake.url,
  confirmationDeadlineMs: HOUR,
});
const sms = sandbox({
  name: 'channel:sms',
  identityKinds: ['phone'],
  latencyMs: { min: 0, max: 0 },
  maxRecipientsPerSend: 1000,
});
const pluginState = new MemoryPluginState({ now });
harness = createTestEngine({
  plugins: [channel, sms],
  start: '2025-03-10T02:00:00Z',
  engine: { pluginState, logger: silentLogger },
});
const t = harness;
const ctx = {
  signal: new AbortController().signal,
  now,
  state: scopePluginState(pluginState, channel.name),
  logger: silentLogger,
  limiter: t.limiter,
};

const count = () => {
  const byPath = new Map<string, number>();
  for (const r of fake.requests) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
  return byPath;
};
const ms = (from: number) => `${(performance.now() - from).toFixed(0)} ms`;

let at = performance.now();
const synced = await channel.sync(ctx);
console.log(`sync: ${synced.followUsers} senders, ${synced.customers} follow records in ${ms(at)}`);

await t.addContacts(
  Array.from({ length: CUSTOMERS }, (_, i) =>
    makeContact({
      id: String(i + 1),
      identities: [
        { kind: 'wecom_external_userid', value: external(i) },
        { kind: 'phone', value: `+86138${String(i).padStart(8, '0')}` },
      ],
    }),
  ),
);
const campaign = await t.addCampaign({
  id: 'bench',
  channelPlan: [
    { channel: 'channel:wecom', trackLinks: false, escalateAfter: { ms: 2 * HOUR, unless: 'delivered' } },
    { channel: 'channel:sms', trackLinks: false },
  ],
  variants: [{ id: 'v1', key: 'A', weight: 1, content: { type: 'text', text: '会员日，全场八折' } }],
});
for (let i = 0; i < AT_CAP; i++) fake.corp.customers.setReceivedThisMonth(external(i * 10), 31);

const preview = await channel.capPreview(
  Array.from({ length: CUSTOMERS }, (_, i) => external(i)),
  ctx,
);
console.log(
  `cap preview before the start (from earlier results of this corp, none here): ${preview.atCap} of ${preview.customers} at the ${preview.limit}/month cap`,
);

const before = fake.requests.length;
at = performance.now();
await t.engine.start({ workspaceId: campaign.workspaceId, campaignId: campaign.id, actor: t.actor });
const planMs = ms(at);
at = performance.now();
await t.drain();
console.log(
  `plan (engine.start): ${planMs}; send (tasks created): ${ms(at)}; requests: ${fake.requests.length - before}`,
);
console.log(`tasks: ${fake.corp.customers.tasks.size} (one per sender)`);

// Senders confirm, except the silent ones; results are polled, the deadline cancels the rest.
const silent = new Set(senders.slice(0, SILENT));
for (const task of fake.corp.customers.tasks.values())
  if (!silent.has(task.sender)) fake.corp.customers.confirm(task.msgid);
at = performance.now();
for (let minutes = 0; minutes < 130; minutes += 5) {
  await t.clock.advance(5 * 60_000);
  await t.engine.pollReceipts();
  await t.drain();
}
console.log(`results, deadline and escalation (26 polls over 130 simulated minutes): ${ms(at)}`);

const after = await channel.capPreview(
  Array.from({ length: CUSTOMERS }, (_, i) => external(i)),
  ctx,
);
console.log(
  `cap preview for the next campaign: ${after.atCap} of ${after.customers} at the cap (WeCom answered 3 for them)`,
);

const c = await t.store.counters(campaign.id);
const requests = count();
console.log(
  JSON.stringify(
    {
      customers: CUSTOMERS,
      senders: SENDERS,
      silentSenders: SILENT,
      delivered: c.delivered,
      filteredByCap: c.filtered,
      invalid: c.failed,
      escalatedToSms: sms.provider.accepted().length,
      stillAwaiting: c.awaitingConfirmation,
      // Completed only once no customer awaits confirmation (every result in, or cancelled at the deadline).
      campaignState: (await t.store.getCampaign(campaign.id))?.state,
      cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      requests: Object.fromEntries(requests),
      load: loadavg().map((l) => l.toFixed(1)),
    },
    null,
    2,
  ),
);
await fake.close();
