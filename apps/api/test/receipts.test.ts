import { createHmac } from 'node:crypto';
import { type SandboxChannel, sandbox } from '@qunfa/channels';
import { type Counters, type DeliveryEvent, QunfaError } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const HOOK_SECRET = 'provider-shared-secret';
const sign = (timestamp: string, body: string) =>
  createHmac('sha256', HOOK_SECRET).update(`${timestamp}\n${body}`).digest('hex');

/**
 * A channel whose provider pushes receipts as a signed JSON array (`x-timestamp`,
 * `x-signature` = HMAC-SHA256 of "timestamp\nbody"), verifies its URL with a signed GET echo,
 * and expects `{"result":0}` back.
 */
function hookedChannel(): SandboxChannel {
  const base = sandbox({ name: 'channel:hooked', latencyMs: { min: 1, max: 2 }, seed: 5 });
  const verify = (timestamp: string | undefined, payload: string, signature: string | undefined) => {
    if (!timestamp || !signature || sign(timestamp, payload) !== signature) {
      throw new QunfaError('UNAUTHENTICATED', 'bad signature', { plugin: base.name });
    }
  };
  return {
    ...base,
    async callback(request) {
      if (request.method === 'GET') {
        verify(request.query.timestamp, request.query.echostr ?? '', request.query.signature);
        return { response: { body: request.query.echostr ?? '' } };
      }
      verify(request.headers['x-timestamp'], request.body, request.headers['x-signature']);
      const items = JSON.parse(request.body) as { msgid: string; status: string; time: string }[];
      return {
        events: items.map(
          (i): DeliveryEvent => ({
            providerMessageId: i.msgid,
            state: i.status === 'DELIVRD' ? 'delivered' : 'failed',
            at: new Date(i.time),
            ...(i.status === 'DELIVRD' ? {} : { failure: 'invalid_recipient', error: i.status }),
          }),
        ),
        response: { contentType: 'application/json', body: '{"result":0}' },
      };
    },
  };
}

const engaging = () =>
  sandbox({
    name: 'channel:engaging',
    latencyMs: { min: 1, max: 3 },
    seed: 11,
    engagement: {
      delivered: 0.9,
      read: 0.5,
      clicked: 0.4,
      deliveredAfterMs: { min: 0, max: 20 },
      readAfterMs: { min: 0, max: 20 },
      clickedAfterMs: { min: 0, max: 20 },
    },
  });
const plain = () => sandbox({ name: 'channel:plain', latencyMs: { min: 1, max: 2 }, seed: 3 });
// Half its messages are delivered, quickly; the others never are.
const halfDelivered = () =>
  sandbox({
    name: 'channel:half',
    latencyMs: { min: 1, max: 2 },
    seed: 9,
    engagement: { delivered: 0.5, deliveredAfterMs: { min: 0, max: 20 } },
  });
const backup = () => sandbox({ name: 'channel:backup', latencyMs: { min: 1, max: 2 }, seed: 4 });

const START = 'mutation($id: ID!) { startCampaign(id: $id) { id } }';
const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const LINK = 'https://shop.example.com/sale?from=sms';

describe.each(drivers)('receipts, engagement and tracked links on %s', (driver) => {
  let t: TestApp;
  let engagingChannel: SandboxChannel;
  let plainChannel: SandboxChannel;
  let hooked: SandboxChannel;
  let half: SandboxChannel;
  let backupChannel: SandboxChannel;
  let tags: Record<string, string>;

  beforeAll(async () => {
    engagingChannel = engaging();
    plainChannel = plain();
    hooked = hookedChannel();
    half = halfDelivered();
    backupChannel = backup();
    t = await startTestApp(driver, { receiptPollIntervalMs: 50 }, [
      engagingChannel,
      plainChannel,
      hooked,
      half,
      backupChannel,
      ...builtinMetrics(),
    ]);
    tags = {};
    for (const [name, count, prefix] of [
      ['engaging', 60, '139'],
      ['plain', 3, '137'],
      ['hooked', 3, '136'],
      ['escalating', 20, '135'],
    ] as const) {
      tags[name] = await seedTaggedContacts(t.url, t.a.keys.operator, {
        tagName: name,
        count,
        identity: (i) => ({ kind: 'PHONE', value: `+86${prefix}${String(i).padStart(8, '0')}` }),
      });
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function run(
    tag: string,
    channelPlan: unknown,
    text = `会员日特惠 ${LINK} 回T退订`,
  ): Promise<string> {
    const key = t.a.keys.operator;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      input: {
        name: `c-${tag}`,
        audience: { tag },
        variants: [{ key: 'A', content: { text } }],
        channelPlan,
      },
    });
    await gqlOk(t.url, key, START, { id: createCampaign.id });
    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(createCampaign.id))?.state, { timeout: 20_000 })
      .toBe('completed');
    return createCampaign.id;
  }

  const metrics = async (id: string) => {
    const { campaign } = await gqlOk<{ campaign: { metrics: { name: string; value: number | null }[] } }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { metrics { name value } } }',
      { id },
    );
    return Object.fromEntries(campaign.metrics.map((m) => [m.name, m.value]));
  };

  it('turns the sandbox’s polled engagement into exact counters and open and click rates', async () => {
    const id = await run(tags.engaging!, [{ channel: 'channel:engaging' }]);
    await expect.poll(() => engagingChannel.provider.pendingReceipts(), { timeout: 10_000 }).toBe(0);
    // What the sandbox reported: each message's furthest state.
    const rank = { sent: 0, delivered: 1, read: 2, clicked: 3 } as const;
    const furthest = new Map<string, keyof typeof rank>();
    for (const m of engagingChannel.provider.accepted()) furthest.set(m.providerMessageId, 'sent');
    for (const r of engagingChannel.provider.receipts()) {
      if (rank[r.state] > rank[furthest.get(r.providerMessageId) ?? 'sent'])
        furthest.set(r.providerMessageId, r.state);
    }
    const expected = { sent: 0, delivered: 0, read: 0, clicked: 0 };
    for (const state of furthest.values()) expected[state]++;
    expect(expected.read + expected.clicked).toBeGreaterThan(0);
    expect(expected.clicked).toBeGreaterThan(0);
    await expect
      .poll(
        async () => {
          const c: Counters = await t.app.deps.store.counters(id);
          return { sent: c.sent, delivered: c.delivered, read: c.read, clicked: c.clicked };
        },
        { timeout: 10_000 },
      )
      .toEqual(expected);
    const reached = 60;
    const m = await metrics(id);
    expect(m['metric:open-rate']).toBe(((expected.read + expected.clicked) * 100) / reached);
    expect(m['metric:click-through']).toBe((expected.clicked * 100) / reached);
    const [events] = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM events WHERE campaign_id = ${Number(id)}::bigint AND payload->>'source' = 'poll'`,
    );
    expect(events!.n).toBe(engagingChannel.provider.receipts().length);
  });

  it('applies a signed push callback once, and refuses forged ones writing nothing', async () => {
    const id = await run(tags.hooked!, [{ channel: 'channel:hooked' }], '验证码 1234');
    const [first, second] = hooked.provider.accepted().map((m) => m.providerMessageId);
    const body = JSON.stringify([
      { msgid: first, status: 'DELIVRD', time: '2026-03-02T01:00:00Z' },
      { msgid: second, status: 'UNDELIV', time: '2026-03-02T01:00:01Z' },
      { msgid: 'sbx_unknown', status: 'DELIVRD', time: '2026-03-02T01:00:02Z' },
    ]);
    const post = (payload: string, signature: string, timestamp = '1700000000') =>
      fetch(`${t.url}/callbacks/hooked`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature },
        body: payload,
      });

    const before = await rowCounts(t.app.deps.db);
    const forged = await post(body, sign('1700000000', `${body} `));
    expect(forged.status).toBe(401);
    const tampered = await post(body.replace('UNDELIV', 'DELIVRD'), sign('1700000000', body));
    expect(tampered.status).toBe(401);
    expect((await fetch(`${t.url}/callbacks/nope`, { method: 'POST', body })).status).toBe(404);
    expect((await fetch(`${t.url}/callbacks/plain`, { method: 'POST', body })).status).toBe(404);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);

    const good = await post(body, sign('1700000000', body));
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toBe('application/json');
    expect(await good.text()).toBe('{"result":0}');
    const after = { sent: 1, delivered: 1, failed: 1 };
    const counters = await t.app.deps.store.counters(id);
    expect({ sent: counters.sent, delivered: counters.delivered, failed: counters.failed }).toEqual(after);
    expect(counters.failedByClass.invalid_recipient).toBe(1);
    const written = await rowCounts(t.app.deps.db);
    expect(written.events).toBe(before.events! + 2);

    // The provider sends it again: answered alike, counted once.
    const replay = await post(body, sign('1700000000', body));
    expect(replay.status).toBe(200);
    expect(await rowCounts(t.app.deps.db)).toEqual(written);
    expect((await t.app.deps.store.counters(id)).delivered).toBe(1);

    const echo = await fetch(
      `${t.url}/callbacks/channel:hooked?timestamp=1&echostr=hello-123&signature=${sign('1', 'hello-123')}`,
    );
    expect([echo.status, await echo.text()]).toEqual([200, 'hello-123']);
    const badEcho = await fetch(`${t.url}/callbacks/hooked?timestamp=1&echostr=hello-123&signature=00`);
    expect(badEcho.status).toBe(401);
  });

  it('rewrites links, counts the first click, redirects, and ignores forged tokens, HEAD and previews', async () => {
    const id = await run(tags.plain!, [{ channel: 'channel:plain' }]);
    const messages = plainChannel.provider.accepted();
    expect(messages).toHaveLength(3);
    const tracked = messages.map((m) => {
      const match = /^会员日特惠 (http:\/\/127\.0\.0\.1:\d+\/l\/([A-Za-z0-9_-]{12,24})) 回T退订$/.exec(
        m.content.text,
      );
      expect(match, m.content.text).not.toBeNull();
      return match![1]!;
    });
    expect(new Set(tracked).size).toBe(3);
    const [link] = tracked;
    const db = t.app.deps.db;
    const counters = async () => {
      const c = await t.app.deps.store.counters(id);
      return { sent: c.sent, clicked: c.clicked };
    };

    const before = await rowCounts(db);
    const token = link!.split('/l/')[1]!;
    const forged = `${t.url}/l/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await fetch(forged, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${t.url}/l/not-a-token`, { redirect: 'manual' })).status).toBe(404);
    const head = await fetch(link!, { method: 'HEAD', redirect: 'manual' });
    // The landing URL gets the click's token, for the partner's conversion to name it.
    const landing = `${LINK}&qf_click=${token}`;
    expect([head.status, head.headers.get('location')]).toEqual([302, landing]);
    const preview = await fetch(link!, {
      redirect: 'manual',
      headers: { 'user-agent': 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' },
    });
    expect(preview.status).toBe(302);
    expect(await rowCounts(db)).toEqual(before);
    expect(await counters()).toEqual({ sent: 3, clicked: 0 });

    const browser = {
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0',
    };
    const click = await fetch(link!, { redirect: 'manual', headers: browser });
    expect([click.status, click.headers.get('location')]).toEqual([302, landing]);
    expect(await counters()).toEqual({ sent: 2, clicked: 1 });
    const again = await fetch(link!, { redirect: 'manual', headers: browser });
    expect(again.status).toBe(302);
    expect(await counters()).toEqual({ sent: 2, clicked: 1 });
    const after = await rowCounts(db);
    expect(after.events).toBe(before.events! + 2);
    expect(after.deliveries).toBe(before.deliveries);
    expect((await metrics(id))['metric:click-through']).toBe(100 / 3);

    // Nothing about the person who clicked is kept, and erasing them empties their events.
    const clicked = await rows<{ contact_id: string; payload: Record<string, unknown> }>(
      db,
      sql`SELECT d.contact_id::text, e.payload FROM events e JOIN deliveries d ON d.id = e.delivery_id
          WHERE e.campaign_id = ${Number(id)}::bigint ORDER BY e.id`,
    );
    expect(clicked.map((e) => e.payload)).toEqual([
      { source: 'link', link: 0 },
      { source: 'link', link: 0 },
    ]);
    await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { eraseContact(id: $id) { id } }', {
      id: clicked[0]!.contact_id,
    });
    const [left] = await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM events WHERE campaign_id = ${Number(id)}::bigint AND payload <> '{}'::jsonb`,
    );
    expect(left!.n).toBe(0);
  });

  it('escalates recipients not delivered within the window to the next channel', async () => {
    const plan = [
      { channel: 'channel:half', escalateAfterMs: 1000, escalateUnless: 'DELIVERED' },
      { channel: 'channel:backup' },
    ];
    const lastStep = await gql(t.url, t.a.keys.operator, CREATE, {
      input: {
        name: 'x',
        audience: { tag: tags.escalating },
        variants: [{ key: 'A', content: { text: 'hi' } }],
        channelPlan: [{ channel: 'channel:half', escalateAfterMs: 1000 }],
      },
    });
    expect(codesOf(lastStep)).toEqual(['INVALID_INPUT']);
    const id = await run(tags.escalating!, plan, '双十一提醒');
    const delivered = new Set(half.provider.receipts().map((r) => r.messageId));
    const firstSent = half.provider.accepted().map((m) => m.messageId);
    expect(firstSent).toHaveLength(20);
    expect(delivered.size).toBeGreaterThan(0);
    expect(delivered.size).toBeLessThan(20);
    // Exactly the undelivered ones went out again, on the next channel, once.
    const escalated = backupChannel.provider.accepted().map((m) => m.messageId);
    expect(escalated.sort()).toEqual(firstSent.filter((m) => !delivered.has(m)).sort());
    const c = await t.app.deps.store.counters(id);
    expect({ delivered: c.delivered, sent: c.sent, queued: c.queued, total: c.total }).toEqual({
      delivered: delivered.size,
      sent: 20 - delivered.size,
      queued: 0,
      total: 20,
    });
    const { campaign } = await gqlOk<{ campaign: { channelPlan: unknown[] } }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { channelPlan { channel escalateAfterMs escalateUnless } } }',
      { id },
    );
    expect(campaign.channelPlan).toEqual([
      { channel: 'channel:half', escalateAfterMs: 1000, escalateUnless: 'DELIVERED' },
      { channel: 'channel:backup', escalateAfterMs: null, escalateUnless: null },
    ]);
  });

  it('sends links as written when the plan step turns tracking off', async () => {
    const sent = plainChannel.provider.accepted().length;
    await run(tags.plain!, [{ channel: 'channel:plain', trackLinks: false }]);
    const texts = plainChannel.provider
      .accepted()
      .slice(sent)
      .map((m) => m.content.text);
    // The contact erased above is suppressed now: two of the three remain.
    expect(texts).toEqual(Array(2).fill(`会员日特惠 ${LINK} 回T退订`));
  });
});
