/*
 * Tracked clicks take one statement (store/clicks-sql.ts) where other receipts take the general
 * path (match, decide in JavaScript, write): from the same rows, the same click groups must leave
 * the same deliveries, event rows, early receipts and counters, and report the same outcomes.
 */
import { sandbox } from '@qunfa/channels';
import type { DeliveryState, ReceiptEvent, ReceiptsApplied } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { applyReceiptGroups, applyReceiptGroupsInTransaction } from '../src/store/early-receipts-sql.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { drivers } from './support/databases.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECIPIENTS = 8;
const BASE = Date.parse('2026-12-01T00:00:00Z');
const states: DeliveryState[] = [
  'sent',
  'delivered',
  'read',
  'clicked',
  'failed',
  'queued',
  'submitted',
  'awaiting_confirmation',
  'uncertain',
  'suppressed',
  'waiting',
];

/** A click on recipient `target` (RECIPIENTS: a delivery id no row has), at a second of a minute: times meet. */
const clickArb = fc.record({
  target: fc.nat({ max: RECIPIENTS }),
  atSeconds: fc.nat({ max: 5 }),
  link: fc.nat({ max: 2 }),
});
const runArb = fc.record({
  start: fc.array(fc.constantFrom(...states), { minLength: RECIPIENTS, maxLength: RECIPIENTS }),
  groups: fc.array(fc.array(clickArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
});

describe.each(drivers)('tracked clicks in one statement (%s)', (driver) => {
  let t: TestApp;
  let campaignId = 0;
  let ids: string[] = [];
  let snapshot = '';

  beforeAll(async () => {
    t = await startTestApp(driver, {}, [sandbox({ latencyMs: { min: 1, max: 2 }, seed: 3 })]);
    await insertPhoneContacts(t.app.deps.db, t.a.id, RECIPIENTS);
    const id = await createAndStartCampaign(t, {
      name: 'clicks',
      audience: { all: true },
      variants: [{ key: 'A', content: { text: '会员日特惠 https://example.com/sale 回T退订' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, id);
    campaignId = Number(id);
    ids = (
      await rows<{ id: string }>(
        t.app.deps.db,
        sql`SELECT id::text FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id`,
      )
    ).map((d) => d.id);
    expect(ids).toHaveLength(RECIPIENTS);
    const [d] = await rows<{ j: string }>(
      t.app.deps.db,
      sql`SELECT json_agg(d)::text AS j FROM deliveries d WHERE campaign_id = ${campaignId}`,
    );
    snapshot = d!.j;
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const unknownId = () => String(Number(ids[ids.length - 1]) + 1000);

  /** The deliveries as sent, in the given states, with counters that count them; no events, nothing kept. */
  const restore = async (start: DeliveryState[]) => {
    await t.app.deps.db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM events WHERE campaign_id = ${campaignId}`);
      await tx.execute(sql`DELETE FROM early_receipts`);
      await tx.execute(sql`DELETE FROM deliveries WHERE campaign_id = ${campaignId}`);
      await tx.execute(sql`INSERT INTO deliveries OVERRIDING SYSTEM VALUE
        SELECT * FROM json_populate_recordset(NULL::deliveries, ${snapshot}::json)`);
      await tx.execute(sql`UPDATE deliveries d SET state = s.state
        FROM jsonb_to_recordset(${JSON.stringify(ids.map((id, i) => ({ id: Number(id), state: start[i] })))}::jsonb)
          AS s(id bigint, state text)
        WHERE d.id = s.id`);
      await tx.execute(sql`DELETE FROM campaign_counters WHERE campaign_id = ${campaignId}`);
    });
  };

  /** What the rows say after a run, ordered so that two runs compare. */
  const observe = async () => {
    const db = t.app.deps.db;
    return {
      deliveries: await rows(
        db,
        sql`SELECT id::text, state, failure_class, last_error, to_json(updated_at)::text AS updated_at
            FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id`,
      ),
      events: await rows(
        db,
        sql`SELECT workspace_id::text, campaign_id::text, delivery_id::text, type, dedupe_key, payload::text, to_json(at)::text AS at
            FROM events WHERE campaign_id = ${campaignId} ORDER BY delivery_id, at, payload::text`,
      ),
      kept: await rows(
        db,
        sql`SELECT channel, provider_message_id, delivery_id::text, state, dedupe_key, event::text, to_json(keep_until)::text AS keep_until
            FROM early_receipts ORDER BY delivery_id, dedupe_key`,
      ),
      counters: await rows(
        db,
        sql`SELECT * FROM campaign_counters WHERE campaign_id = ${campaignId} ORDER BY shard`,
      ),
    };
  };

  it('leaves the rows the general path leaves, and reports the same outcomes', async () => {
    const keepUntil = new Date(BASE + 3_600_000);
    await fc.assert(
      fc.asyncProperty(runArb, async ({ start, groups }) => {
        const events: ReceiptEvent[][] = groups.map((g) =>
          g.map((c) => ({
            deliveryId: c.target === RECIPIENTS ? unknownId() : ids[c.target]!,
            state: 'clicked',
            at: new Date(BASE + c.atSeconds * 1000),
            source: 'link',
            link: c.link,
          })),
        );
        const run = async (
          apply: (
            db: TestApp['app']['deps']['db'],
            g: ReceiptEvent[][],
            until: Date,
          ) => Promise<ReceiptsApplied[]>,
        ) => {
          await restore(start);
          // The groups together, then the first again (a click repeated: recorded again, kept once).
          const results = [
            await apply(t.app.deps.db, events, keepUntil),
            await apply(t.app.deps.db, [events[0]!], keepUntil),
          ];
          return { results, rows: await observe() };
        };
        const general = await run(applyReceiptGroupsInTransaction);
        const one = await run(applyReceiptGroups);
        expect(one).toEqual(general);
      }),
      { numRuns: 60 },
    );
  }, 300_000);
});
