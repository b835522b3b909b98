import { createHmac } from 'node:crypto';
import { type SandboxChannel, sandbox } from '@qunfa/channels';
import { type DeliveryEvent, QunfaError, type ReceiptEvent } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Group commit of intake (receipts, clicks, replies): requests arriving together share one
 * transaction, each acknowledged only after it committed. On PostgreSQL, where transactions
 * really run side by side.
 */

const SECRET = 'group-commit-secret';
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

/** Pushes receipts as a signed JSON array (`x-signature` = HMAC-SHA256 of the body). */
function pushingChannel(): SandboxChannel {
  const base = sandbox({ name: 'channel:pushing', latencyMs: { min: 1, max: 2 }, seed: 7 });
  return {
    ...base,
    async callback(request) {
      if (request.headers['x-signature'] !== sign(request.body)) {
        throw new QunfaError('UNAUTHENTICATED', 'bad signature', { plugin: base.name });
      }
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
      };
    },
  };
}

describe('group commit of intake on postgres', () => {
  let t: TestApp;
  let channel: SandboxChannel;
  let campaignId: string;
  let ids: string[];

  beforeAll(async () => {
    channel = pushingChannel();
    t = await startTestApp('postgres', { receiptPollIntervalMs: 3_600_000 }, [channel, ...builtinMetrics()]);
    const key = t.a.keys.operator;
    const tag = await seedTaggedContacts(t.url, key, {
      tagName: 'pushed',
      count: 12,
      identity: (i) => ({ kind: 'PHONE', value: `+86136${String(i).padStart(8, '0')}` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'pushed',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '验证码 1234' } }],
          channelPlan: [{ channel: 'channel:pushing' }],
        },
      },
    );
    campaignId = createCampaign.id;
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: campaignId });
    for (let i = 0; (await t.app.deps.store.getCampaign(campaignId))?.state !== 'completed'; i++) {
      if (i > 400) throw new Error('the campaign did not complete in 20 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ids = channel.provider.accepted().map((m) => m.providerMessageId);
    expect(ids).toHaveLength(12);
  }, 60_000);
  afterAll(async () => {
    await t?.app.deps.db.execute(sql`DROP TRIGGER IF EXISTS refuse_poison ON events`);
    await t?.stop();
  });

  const push = (items: { msgid: string; status: string; time: string }[]) => {
    const body = JSON.stringify(items);
    return fetch(`${t.url}/callbacks/pushing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
      body,
    });
  };
  const eventsOf = async (msgids: string[]) =>
    (
      await rows<{ n: number }>(
        t.app.deps.db,
        sql`SELECT count(*)::int AS n FROM events e JOIN deliveries d ON d.id = e.delivery_id
            WHERE d.provider_message_id = ANY(${`{${msgids.join(',')}}`}::text[])`,
      )
    )[0]!.n;
  const counters = async () => {
    const c = await t.app.deps.store.counters(campaignId);
    return { sent: c.sent, delivered: c.delivered, failed: c.failed };
  };

  it('shares one transaction among concurrent calls, and counts a receipt sent by several at once once', async () => {
    const store = t.app.deps.store;
    const groups: number[] = [];
    const original = store.applyReceiptGroups!.bind(store);
    store.applyReceiptGroups = (g: ReceiptEvent[][], options?: { keepUntil?: Date }) => {
      groups.push(g.length);
      return original(g, options);
    };
    try {
      const receipt = (msgid: string): ReceiptEvent => ({
        channel: 'channel:pushing',
        providerMessageId: msgid,
        state: 'delivered',
        at: new Date('2026-03-02T01:00:00Z'),
        source: 'callback',
      });
      // The same two receipts from eight callers at once, and one of them twice within a call.
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.app.deps.engine.applyReceipts([receipt(ids[0]!), receipt(ids[1]!), receipt(ids[1]!)]),
        ),
      );
      expect(results.reduce((n, r) => n + r.applied, 0)).toBe(2);
      expect(results.reduce((n, r) => n + r.recorded, 0)).toBe(2);
      expect(results.reduce((n, r) => n + r.ignored, 0)).toBe(8 * 3 - 2);
      // Fewer transactions than calls: the calls that came while one committed went together.
      expect(groups.reduce((a, b) => a + b, 0)).toBe(8);
      expect(groups.length).toBeLessThan(8);
    } finally {
      store.applyReceiptGroups = original;
    }
    expect(await eventsOf([ids[0]!, ids[1]!])).toBe(2);
    expect(await counters()).toEqual({ sent: 10, delivered: 2, failed: 0 });

    // Over HTTP: the same push from many connections at once, all 200, counted once.
    const body = [{ msgid: ids[2]!, status: 'DELIVRD', time: '2026-03-02T01:00:05Z' }];
    const answers = await Promise.all(Array.from({ length: 10 }, () => push(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(await eventsOf([ids[2]!])).toBe(1);
    expect(await counters()).toEqual({ sent: 9, delivered: 3, failed: 0 });
  });

  it('keeps a receipt that beat its settlement once when several calls in one group bring it, counted in its own call', async () => {
    const early = (msgid: string): ReceiptEvent => ({
      channel: 'channel:pushing',
      providerMessageId: msgid,
      state: 'delivered',
      at: new Date('2026-03-02T01:00:30Z'),
      source: 'callback',
    });
    const before = Date.now();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        t.app.deps.engine.applyReceipts(
          n % 2 === 0 ? [early('gc-early-1')] : [early('gc-early-1'), early('gc-early-2')],
        ),
      ),
    );
    // Every call hears its own unknown events; each kept receipt is counted once, in one call.
    for (const [n, r] of results.entries())
      expect(r.unknown).toEqual(n % 2 === 0 ? ['gc-early-1'] : ['gc-early-1', 'gc-early-2']);
    expect(results.reduce((k, r) => k + r.kept, 0)).toBe(2);
    const kept = await rows<{ provider_message_id: string; keep_until: Date }>(
      t.app.deps.db,
      sql`SELECT provider_message_id, keep_until FROM early_receipts
          WHERE provider_message_id IN ('gc-early-1', 'gc-early-2') ORDER BY provider_message_id`,
    );
    expect(kept.map((r) => r.provider_message_id)).toEqual(['gc-early-1', 'gc-early-2']);
    // The group carries the engine's grace period (120 s by default) to the store.
    for (const r of kept) expect(new Date(r.keep_until).getTime()).toBeGreaterThanOrEqual(before + 119_000);
    await t.app.deps.db.execute(
      sql`DELETE FROM early_receipts WHERE provider_message_id IN ('gc-early-1', 'gc-early-2')`,
    );
  });

  it('acknowledges nothing a failed commit held: the failing push alone is refused, its neighbours committed', async () => {
    // A receipt whose event row the database refuses: its transaction fails.
    await t.app.deps.db.execute(sql`
      CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.payload->>'error' = 'POISON' THEN RAISE EXCEPTION 'poisoned receipt'; END IF;
        RETURN NEW;
      END $$`);
    await t.app.deps.db.execute(
      sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
    );
    const good = [ids[3]!, ids[4]!, ids[5]!].map((msgid) => [
      { msgid, status: 'DELIVRD', time: '2026-03-02T01:01:00Z' },
    ]);
    // One push carries a good receipt and a poisoned one: all of it is refused.
    const poisoned = [
      { msgid: ids[6]!, status: 'DELIVRD', time: '2026-03-02T01:01:00Z' },
      { msgid: ids[7]!, status: 'POISON', time: '2026-03-02T01:01:00Z' },
    ];
    const answers = await Promise.all([...good.map(push), push(poisoned)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 500]);
    expect(await eventsOf([ids[3]!, ids[4]!, ids[5]!])).toBe(3);
    expect(await eventsOf([ids[6]!, ids[7]!])).toBe(0);
    expect(await counters()).toEqual({ sent: 6, delivered: 6, failed: 0 });

    // The database refuses every commit (a crash, a full disk): every push is refused, none written.
    await t.app.deps.db.execute(sql`
      CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'database refuses writes'; END $$`);
    const down = await Promise.all(
      [ids[8]!, ids[9]!, ids[10]!].map((msgid) =>
        push([{ msgid, status: 'DELIVRD', time: '2026-03-02T01:02:00Z' }]),
      ),
    );
    expect(down.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(await eventsOf([ids[8]!, ids[9]!, ids[10]!])).toBe(0);
    expect(await counters()).toEqual({ sent: 6, delivered: 6, failed: 0 });

    // The provider retries once the database is back: written, each once.
    await t.app.deps.db.execute(sql`DROP TRIGGER refuse_poison ON events`);
    const retried = await Promise.all([
      push(poisoned.map((r) => ({ ...r, status: r.status === 'POISON' ? 'UNDELIV' : r.status }))),
      ...[ids[8]!, ids[9]!, ids[10]!].map((msgid) =>
        push([{ msgid, status: 'DELIVRD', time: '2026-03-02T01:02:00Z' }]),
      ),
    ]);
    expect(retried.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(await counters()).toEqual({ sent: 1, delivered: 10, failed: 1 });
  });

  it('records a reply sent by several calls at once once, with one triage item, each call answered', async () => {
    const record = (text: string, providerMessageId: string) =>
      gqlOk<{ recordInboundMessage: { recorded: number; duplicate: boolean } }>(
        t.url,
        t.a.keys.operator,
        'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { recorded duplicate } }',
        { i: { fromKind: 'PHONE', fromValue: '+8613600000011', text, providerMessageId } },
      );
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => record('你们一直发短信骚扰我，我要投诉', 'dup-1')),
      record('请问怎么办理', 'other-1'),
    ]);
    const recorded = answers.map((a) => a.recordInboundMessage);
    expect(recorded.slice(0, 6).filter((r) => !r.duplicate)).toEqual([{ recorded: 1, duplicate: false }]);
    expect(recorded[6]).toEqual({ recorded: 1, duplicate: false });
    const [stored] = await rows<{ messages: number; items: number }>(
      t.app.deps.db,
      sql`SELECT (SELECT count(*)::int FROM inbound_messages WHERE provider_message_id IN ('dup-1', 'other-1')) AS messages,
                 (SELECT count(*)::int FROM triage_items i JOIN inbound_messages m ON m.id = i.inbound_message_id
                   WHERE m.provider_message_id IN ('dup-1', 'other-1')) AS items`,
    );
    expect(stored).toEqual({ messages: 2, items: 2 });
  });
  it('answers clicks arriving together from one lookup and one engine call, each after its commit; a click the database refuses is lost alone', async () => {
    const key = t.a.keys.operator;
    const tag = await seedTaggedContacts(t.url, key, {
      tagName: 'clicking',
      count: 6,
      identity: (i) => ({ kind: 'PHONE', value: `+86135${String(i).padStart(8, '0')}` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'clicked',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '特惠 https://shop.example.com/sale 回T退订' } }],
          channelPlan: [{ channel: 'channel:pushing' }],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(id))?.state, { timeout: 20_000 })
      .toBe('completed');
    const deliveries = (
      await rows<{ id: string }>(
        t.app.deps.db,
        sql`SELECT id::text FROM deliveries WHERE campaign_id = ${Number(id)}::bigint ORDER BY id`,
      )
    ).map((r) => r.id);
    expect(deliveries).toHaveLength(6);
    const link = (deliveryId: string) => `${t.url}/l/${t.app.deps.linkTokens!.sign({ deliveryId, link: 0 })}`;
    const click = (deliveryId: string, method = 'GET') =>
      fetch(link(deliveryId), {
        method,
        redirect: 'manual',
        headers: { 'user-agent': 'Mozilla/5.0 (iPhone)' },
      });
    const clicked = async () => (await t.app.deps.store.counters(id)).clicked;
    const eventRows = async () =>
      (
        await rows<{ n: number }>(
          t.app.deps.db,
          sql`SELECT count(*)::int AS n FROM events WHERE campaign_id = ${Number(id)}::bigint`,
        )
      )[0]!.n;

    const engine = t.app.deps.engine;
    const original = engine.applyReceipts;
    const calls: number[] = [];
    engine.applyReceipts = (events) => {
      calls.push(events.length);
      return original(events);
    };
    try {
      // Every link at once, the first twice, and a HEAD (answered, not a click).
      const answers = await Promise.all([
        ...deliveries.map((d) => click(d)),
        click(deliveries[0]!),
        click(deliveries[1]!, 'HEAD'),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(302);
        expect(a.headers.get('location')).toMatch(/^https:\/\/shop\.example\.com\/sale\?qf_click=/);
      }
      // Answered after the commit: every click is there when its redirect arrives.
      expect(await clicked()).toBe(6);
      expect(await eventRows()).toBe(7);
      expect(calls.reduce((a, b) => a + b, 0)).toBe(7);
      expect(calls.length).toBeLessThan(7);

      // The database refuses the click of one delivery: it goes unrecorded, its neighbours in the
      // same group are recorded, and everyone is redirected.
      await t.app.deps.db.execute(
        sql.raw(`
        CREATE OR REPLACE FUNCTION refuse_click() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.delivery_id = ${Number(deliveries[2])} THEN RAISE EXCEPTION 'refused click'; END IF;
          RETURN NEW;
        END $$`),
      );
      await t.app.deps.db.execute(
        sql`CREATE TRIGGER refuse_click BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_click()`,
      );
      calls.length = 0;
      const again = await Promise.all(deliveries.slice(0, 4).map((d) => click(d)));
      expect(again.map((a) => a.status)).toEqual([302, 302, 302, 302]);
      expect(await eventRows()).toBe(7 + 3);
      expect(await clicked()).toBe(6);
    } finally {
      engine.applyReceipts = original;
      await t.app.deps.db.execute(sql`DROP TRIGGER IF EXISTS refuse_click ON events`);
    }
  });
});
