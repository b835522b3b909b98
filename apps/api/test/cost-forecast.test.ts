import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics, recipientRules } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import type { PluginServices } from '../src/plugins.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Two failure-free sandboxes — one for phones at 5 a second, one for e-mail — and the send-time
 * recipient rules with a cap of one marketing message a month, quiet hours only where a workspace sets them.
 */
const plugins = (services: PluginServices): QunfaPlugin[] => [
  sandbox({
    name: 'channel:sms-sim',
    identityKinds: ['phone'],
    ratePerSecond: 5,
    maxRecipientsPerSend: 10,
    latencyMs: { min: 1, max: 3 },
  }),
  sandbox({
    name: 'channel:mail-sim',
    identityKinds: ['email'],
    ratePerSecond: 50,
    latencyMs: { min: 1, max: 3 },
  }),
  ...builtinMetrics(),
  ...recipientRules({
    facts: services.recipientFacts,
    frequencyCap: { max: 1, windowDays: 30 },
    quietHours: { enabled: false },
  }),
];

const forecastQuery = `query($id: ID!) { campaignForecast(id: $id) {
  at recipients messages waitingForAbDecision unpriced firstSendAt finishAt
  suppressedAtPlan { reason count } suppressedAtSend { reason count }
  deferred { reason count lastUntil }
  channels { channel messages segments cost currency lastSendAt }
  cost { currency amount } findings { rule level code } } }`;

interface Forecast {
  at: string;
  recipients: number;
  messages: number;
  unpriced: string[];
  firstSendAt: string | null;
  finishAt: string | null;
  suppressedAtPlan: { reason: string; count: number }[];
  suppressedAtSend: { reason: string; count: number }[];
  deferred: { reason: string; count: number; lastUntil: string }[];
  channels: {
    channel: string;
    messages: number;
    segments: number;
    cost: number | null;
    currency: string | null;
  }[];
  cost: { currency: string; amount: number }[];
  findings: { rule: string; level: string; code: string }[];
}

const setPrices = `mutation($prices: [ChannelPriceInput!]!) { setChannelPrices(prices: $prices) { channel account unit amount currency } }`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A two-hour quiet period around now in Shanghai, and the minute it ends. */
function quietAroundNow(): { start: string; end: string; endsAt: Date } {
  const now = Date.now();
  const local = (ms: number) => {
    const m = Math.floor((((ms / 60_000 + 8 * 60) % 1440) + 1440) % 1440);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  };
  const end = now + 60 * 60_000;
  return {
    start: local(now - 60 * 60_000),
    end: local(end),
    endsAt: new Date(Math.floor(end / 60_000) * 60_000),
  };
}

describe.each(drivers)('cost and dry run (%s)', (driver) => {
  let t: TestApp;
  let allTag = '';
  let warmTag = '';
  beforeAll(async () => {
    t = await startTestApp(driver, {}, plugins);
    const admin = t.a.keys.admin;
    const tag = async (name: string) =>
      (
        await gqlOk<{ createTag: { id: string } }>(
          t.url,
          admin,
          'mutation($name: String!) { createTag(input: { name: $name }) { id } }',
          { name },
        )
      ).createTag.id;
    allTag = await tag('all');
    warmTag = await tag('warm');
    // 60 phones (the first 10 also warm), 20 e-mail addresses, 10 reachable by neither channel.
    const input = Array.from({ length: 90 }, (_, i) => ({
      name: `c${i}`,
      identities: [
        i < 60
          ? { kind: 'PHONE', value: `+8613900${String(i).padStart(6, '0')}` }
          : i < 80
            ? { kind: 'EMAIL', value: `c${i}@example.com` }
            : { kind: 'WXID', value: `wxid_c${i}` },
      ],
      tagIds: i < 10 ? [allTag, warmTag] : [allTag],
    }));
    await gqlOk(
      t.url,
      admin,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input,
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  const create = async (name: string, tag: string, channelPlan: unknown[]) =>
    (
      await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        t.a.keys.admin,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name,
            audience: { tag },
            variants: [{ key: 'A', content: { text: '{{name}}，您的积分已到账，回复TD退订。' } }],
            channelPlan,
          },
        },
      )
    ).createCampaign.id;
  const forecast = async (id: string) =>
    (await gqlOk<{ campaignForecast: Forecast }>(t.url, t.a.keys.operator, forecastQuery, { id }))
      .campaignForecast;
  const start = (id: string) =>
    gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
  const completed = (id: string) =>
    until(
      () =>
        gqlOk<{ campaign: { state: string; startedAt: string; finishedAt: string | null } }>(
          t.url,
          t.a.keys.admin,
          'query($id: ID!) { campaign(id: $id) { state startedAt finishedAt } }',
          { id },
        ),
      (v) => v.campaign.state === 'COMPLETED',
      `campaign ${id} to complete`,
    );

  it('refuses bad prices, non-admins and unknown channels with typed codes, and keeps the last good set', async () => {
    const good = [
      { channel: 'channel:sms-sim', unit: 'SEGMENT', amount: 0.05, currency: 'CNY' },
      { channel: 'channel:mail-sim', unit: 'MESSAGE', amount: 0.001, currency: 'CNY' },
    ];
    const bad: [unknown[], string][] = [
      [[{ ...good[0], amount: -1 }], 'INVALID_INPUT'],
      [[{ ...good[0], amount: 0.0000001 }], 'INVALID_INPUT'],
      [[{ ...good[0], currency: 'yuan' }], 'INVALID_INPUT'],
      [[good[0], good[0]], 'INVALID_INPUT'],
      [[{ ...good[0], channel: 'channel:nope' }], 'CHANNEL_NOT_FOUND'],
    ];
    for (const [prices, code] of bad)
      expect(codesOf(await gql(t.url, t.a.keys.admin, setPrices, { prices }))).toEqual([code]);
    expect(codesOf(await gql(t.url, t.a.keys.operator, setPrices, { prices: good }))).toEqual(['FORBIDDEN']);
    await gqlOk(t.url, t.a.keys.admin, setPrices, { prices: good });
    expect(
      codesOf(await gql(t.url, t.a.keys.admin, setPrices, { prices: [{ ...good[0], amount: -1 }] })),
    ).toEqual(['INVALID_INPUT']);
    const read = await gqlOk<{ viewer: { workspace: { channelPrices: unknown[] } } }>(
      t.url,
      t.a.keys.viewer,
      '{ viewer { workspace { channelPrices { channel account unit amount currency } } } }',
    );
    expect(read.viewer.workspace.channelPrices).toEqual(good.map((p) => ({ ...p, account: null })));
    // Another workspace has its own prices: none.
    const other = await gqlOk<{ viewer: { workspace: { channelPrices: unknown[] } } }>(
      t.url,
      t.b.keys.viewer,
      '{ viewer { workspace { channelPrices { channel } } } }',
    );
    expect(other.viewer.workspace.channelPrices).toEqual([]);
  });

  it('forecasts what the real run then does: counts per channel, caps, cost, and the finish within 10 %', async () => {
    // Ten contacts get one message now: the monthly cap of one then stops them in the campaign below.
    const warm = await create('warm', warmTag, [{ channel: 'channel:sms-sim' }]);
    await start(warm);
    await completed(warm);
    const id = await create('main', allTag, [
      { channel: 'channel:sms-sim', batchSize: 10 },
      { channel: 'channel:mail-sim' },
    ]);
    const before = await rowCounts(t.app.deps.db);
    const f = await forecast(id);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    expect(f).toMatchObject({
      recipients: 90,
      messages: 70,
      suppressedAtPlan: [{ reason: 'no_address', count: 10 }],
      suppressedAtSend: [{ reason: 'frequency_cap', count: 10 }],
      deferred: [],
      unpriced: [],
      cost: [{ currency: 'CNY', amount: 2.52 }],
      findings: [],
    });
    expect(f.channels).toEqual([
      {
        channel: 'channel:sms-sim',
        messages: 50,
        segments: 50,
        cost: 2.5,
        currency: 'CNY',
        lastSendAt: expect.any(String),
      },
      {
        channel: 'channel:mail-sim',
        messages: 20,
        segments: 20,
        cost: 0.02,
        currency: 'CNY',
        lastSendAt: expect.any(String),
      },
    ]);
    // 50 phones at 5 a second, bursts of 10: the first batch at once, the other four 2 s apart.
    const forecastMs = Date.parse(f.finishAt!) - Date.parse(f.at);
    expect(forecastMs).toBe(8000);

    // The warm campaign's sends took tokens from the same account: let its bucket fill again.
    await new Promise((r) => setTimeout(r, 2500));
    await start(id);
    const done = await completed(id);
    const real = await gqlOk<{
      campaign: {
        counters: { sent: number; suppressed: number; total: number };
        bySender: { channel: string | null; counters: { sent: number } }[];
        cost: {
          total: { currency: string; amount: number }[];
          channels: { channel: string; billed: number; amount: number }[];
        };
      };
    }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { counters { sent suppressed total }
        bySender { channel counters { sent } } cost { total { currency amount } channels { channel billed amount } } } }`,
      { id },
    );
    expect(real.campaign.counters).toEqual({ sent: 70, suppressed: 20, total: 90 });
    const sentBy = Object.fromEntries(
      real.campaign.bySender.filter((s) => s.channel).map((s) => [s.channel, s.counters.sent]),
    );
    expect(sentBy).toEqual({ 'channel:sms-sim': 50, 'channel:mail-sim': 20 });
    expect(real.campaign.cost.total).toEqual(f.cost);
    expect(real.campaign.cost.channels).toEqual([
      { channel: 'channel:mail-sim', billed: 20, amount: 0.02 },
      { channel: 'channel:sms-sim', billed: 50, amount: 2.5 },
    ]);
    // The limits' part of the run: first send to last, as forecast — planning and the last
    // settlement are the server's own time (a few hundred ms on PGlite), logged beside it.
    const attempts = await gqlOk<{
      campaign: { deliveries: { edges: { node: { attempts: { at: string }[] } }[] } };
    }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { deliveries(first: 100, states: [SENT]) { edges { node { attempts { at } } } } } }',
      { id },
    );
    const times = attempts.campaign.deliveries.edges.flatMap((e) =>
      e.node.attempts.map((a) => Date.parse(a.at)),
    );
    expect(times).toHaveLength(70);
    const realMs = Math.max(...times) - Math.min(...times);
    const predictedMs = Date.parse(f.finishAt!) - Date.parse(f.firstSendAt!);
    const wallMs = Date.parse(done.campaign.finishedAt!) - Date.parse(done.campaign.startedAt);
    // How late the last send ran after its batch fell due (the pacing's schedule): a busy machine's
    // part, not the forecast's — the suite's own load made it 834 ms once.
    const [last] = await rows<{ late: number }>(
      t.app.deps.db,
      sql`SELECT greatest(0, extract(epoch FROM a.at - b.due_at) * 1000)::float8 AS late
          FROM delivery_attempts a JOIN batches b ON b.id = a.batch_id
          WHERE a.campaign_id = ${Number(id)}::bigint ORDER BY a.at DESC LIMIT 1`,
    );
    console.info(
      `[cost-forecast ${driver}] first to last send: forecast ${predictedMs} ms, real ${realMs} ms (the last send ${Math.round(last!.late)} ms after its batch was due); start to completion ${wallMs} ms`,
    );
    expect(Math.abs(realMs - predictedMs)).toBeLessThanOrEqual(predictedMs * 0.1 + last!.late);
    // Started: its cost is actual now, and a dry run is refused.
    expect(codesOf(await gql(t.url, t.a.keys.operator, forecastQuery, { id }))).toEqual([
      'ILLEGAL_TRANSITION',
    ]);
  });

  it('says what quiet hours would defer and until when, and that nothing goes before they end', async () => {
    const quiet = quietAroundNow();
    const setQuiet = 'mutation($input: QuietHoursInput!) { setWorkspaceQuietHours(input: $input) { id } }';
    await gqlOk(t.url, t.a.keys.admin, setQuiet, {
      input: { mode: 'WINDOW', start: quiet.start, end: quiet.end },
    });
    try {
      // Contacts no campaign has reached yet (the cap of one would stop the others first).
      const night = await seedTaggedContacts(t.url, t.a.keys.admin, {
        tagName: 'night',
        count: 5,
        identity: (i) => ({ kind: 'EMAIL', value: `night${i}@example.com` }),
      });
      const id = await create('night', night, [{ channel: 'channel:mail-sim' }]);
      const f = await forecast(id);
      expect(f.deferred).toEqual([
        { reason: 'quiet_hours', count: 5, lastUntil: quiet.endsAt.toISOString() },
      ]);
      expect(f.messages).toBe(5);
      expect(f.firstSendAt).toBe(quiet.endsAt.toISOString());
      expect(f.finishAt).toBe(quiet.endsAt.toISOString());
    } finally {
      await gqlOk(t.url, t.a.keys.admin, setQuiet, { input: { mode: 'OFF' } });
    }
  });

  it('keeps campaigns of other workspaces out of reach', async () => {
    const id = await create('private', allTag, [{ channel: 'channel:mail-sim' }]);
    expect(codesOf(await gql(t.url, t.b.keys.admin, forecastQuery, { id }))).toEqual(['CAMPAIGN_NOT_FOUND']);
  });
});
