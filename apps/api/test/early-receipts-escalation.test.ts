import { sandbox } from '@qunfa/channels';
import type { ChannelPlugin, OutboundBatch, ReceiptEvent } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const WINDOW_MS = 1500;

/** A provider whose send waits until the test lets it answer; message ids `gate-<delivery id>`. */
function gateChannel() {
  let gate: { started: (b: OutboundBatch) => void; open: Promise<void> } | undefined;
  const channel: ChannelPlugin = {
    kind: 'channel',
    name: 'channel:gate',
    limits: {
      maxRecipientsPerSend: 10,
      contentTypes: ['text'],
      receipts: true,
      recall: false,
      idempotencyKeys: false,
    },
    identityKinds: ['phone'],
    accounts: [],
    address: (identities) => identities.find((i) => i.kind === 'phone')?.value,
    async send(batch) {
      gate?.started(batch);
      await gate?.open;
      return batch.messages.map((m) => ({
        id: m.id,
        providerMessageId: `gate-${m.id}`,
        status: 'sent' as const,
      }));
    },
  };
  /** The next send waits for `release`; `started` resolves with its batch. */
  const arm = () => {
    let release!: () => void;
    let started!: (b: OutboundBatch) => void;
    const batch = new Promise<OutboundBatch>((resolve) => {
      started = resolve;
    });
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    gate = { started, open };
    return { batch, release };
  };
  return { channel, arm };
}

const delivered = (b: OutboundBatch, at: Date): ReceiptEvent[] =>
  b.messages.map((m) => ({
    channel: 'channel:gate',
    providerMessageId: `gate-${m.id}`,
    state: 'delivered',
    at,
    source: 'callback',
  }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 12: a delivery report that beats the settlement of its send was kept in one process's
 * memory and retried on its next poll, while the escalation sweep moved the delivery, still
 * `sent`, to the next channel — the recipient got both. The poll interval here is far longer than
 * the window, so only the store's kept receipts stand between the sweep and a double send.
 */
describe.each(drivers)(
  'a receipt that beats its settlement never sends the next channel, on %s',
  (driver) => {
    let t: TestApp;
    let tag: string;
    const gate = gateChannel();

    beforeAll(async () => {
      const sms = sandbox({ name: 'channel:sms', identityKinds: ['phone'], latencyMs: { min: 1, max: 2 } });
      t = await startTestApp(driver, { receiptPollIntervalMs: 600_000 }, [
        gate.channel,
        sms,
        ...builtinMetrics(),
      ]);
      tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
        tagName: '早到回执',
        count: 2,
        identity: (i) => ({ kind: 'PHONE', value: `+86138000000${String(i).padStart(2, '0')}` }),
      });
    }, 120_000);
    afterAll(async () => {
      await t?.stop();
    });

    const start = async (name: string) => {
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        t.a.keys.operator,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name,
            audience: { tag },
            variants: [{ key: 'A', content: { text: '会员日，全场八折' } }],
            channelPlan: [
              { channel: 'channel:gate', escalateAfterMs: WINDOW_MS, escalateUnless: 'DELIVERED' },
              { channel: 'channel:sms' },
            ],
          },
        },
      );
      await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
        id: createCampaign.id,
      });
      return createCampaign.id;
    };
    const deliveries = (id: string) =>
      rows<{ channel: string; state: string }>(
        t.app.deps.db,
        sql`SELECT channel, state FROM deliveries WHERE campaign_id = ${Number(id)} ORDER BY id`,
      );
    const smsAttempts = async (id: string) =>
      (
        await rows<{ n: number }>(
          t.app.deps.db,
          sql`SELECT count(*)::int AS n FROM delivery_attempts WHERE campaign_id = ${Number(id)} AND channel = 'channel:sms'`,
        )
      )[0]!.n;
    const kept = async () =>
      (await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM early_receipts`))[0]!.n;
    const completed = async (id: string) => {
      for (let i = 0; (await t.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
        if (i > 400)
          throw new Error(`the campaign did not complete: ${JSON.stringify(await deliveries(id))}`);
        await sleep(50);
      }
    };

    it('a report taken while the send is under way is applied by its settlement', async () => {
      const { batch, release } = gate.arm();
      const id = await start('发送中回执');
      const sent = await batch;
      const result = await t.app.deps.engine.applyReceipts(delivered(sent, new Date()));
      expect(result).toMatchObject({ applied: 0, unknown: sent.messages.map((m) => `gate-${m.id}`) });
      release();
      await completed(id);
      // The window passed with the sweep running every tick: nobody moved to SMS.
      expect(await deliveries(id)).toEqual([
        { channel: 'channel:gate', state: 'delivered' },
        { channel: 'channel:gate', state: 'delivered' },
      ]);
      expect(await smsAttempts(id)).toBe(0);
      expect(await kept()).toBe(0);
    });

    it('a report whose transaction overlaps the settlement is kept, the sweep leaves its delivery, a retry applies it', async () => {
      const { batch, release } = gate.arm();
      const id = await start('交叠回执');
      const sent = await batch;
      if (driver === 'postgres') {
        // The race itself: the settlement has read the kept receipts (none) and waits on its counter
        // shard, held here; the receipt's transaction then finds no provider id (uncommitted) and
        // keeps the report; the settlement commits after it. Neither saw the other.
        const locker = postgres(t.app.config.databaseUrl!, { max: 1, onnotice: () => {} });
        const held = await locker.reserve();
        await held`BEGIN`;
        await held`SELECT 1 FROM campaign_counters WHERE campaign_id = ${Number(id)} FOR UPDATE`;
        release();
        for (let i = 0; ; i++) {
          const [w] = await held<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`;
          if (w!.n > 0) break;
          if (i > 200) throw new Error('the settlement never waited on the counters');
          await sleep(20);
        }
        const taken = await t.app.deps.engine.applyReceipts(delivered(sent, new Date()));
        expect(taken).toMatchObject({ applied: 0, unknown: sent.messages.map((m) => `gate-${m.id}`) });
        await held`COMMIT`;
        held.release();
        await locker.end();
      } else {
        // One connection serialises PGlite's transactions: the race cannot happen, so the test writes
        // what it leaves behind — the delivery sent, its report kept — as soon as the settlement commits.
        release();
        for (let i = 0; (await deliveries(id)).some((d) => d.state !== 'sent'); i++) {
          if (i > 200) throw new Error('the send was never settled');
          await sleep(10);
        }
        await t.app.deps.db.execute(sql`INSERT INTO early_receipts (channel, provider_message_id, state, dedupe_key, event, keep_until)
        SELECT e->>'channel', e->>'providerMessageId', e->>'state', 'delivered@' || (e->>'at'), e, now() + interval '1 hour'
        FROM jsonb_array_elements(${JSON.stringify(delivered(sent, new Date()))}::jsonb) AS e`);
      }
      expect(await deliveries(id)).toEqual([
        { channel: 'channel:gate', state: 'sent' },
        { channel: 'channel:gate', state: 'sent' },
      ]);
      // Past the window, many sweeps later: the kept reports hold the deliveries back.
      await sleep(WINDOW_MS + 1000);
      expect(await smsAttempts(id)).toBe(0);
      expect((await t.app.deps.store.getCampaign(id))?.state).toBe('running');
      expect(await kept()).toBe(2);
      await t.app.deps.engine.retryEarlyReceipts();
      await completed(id);
      expect(await deliveries(id)).toEqual([
        { channel: 'channel:gate', state: 'delivered' },
        { channel: 'channel:gate', state: 'delivered' },
      ]);
      expect(await smsAttempts(id)).toBe(0);
      expect(await kept()).toBe(0);
      expect(await t.app.deps.store.counters(id)).toMatchObject({ delivered: 2, sent: 0 });
    });
  },
);
