import { sandbox } from '@qunfa/channels';
import { type Counters, counterFor, type DeliveryState, emptyCounters, type ReceiptEvent } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { funnelRows } from '../src/services/metrics/funnel.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { drivers } from './support/databases.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECIPIENTS = 24;
const BASE = Date.parse('2026-12-01T00:00:00Z');

interface Delivery {
  id: string;
  state: DeliveryState;
  pmid: string | null;
}

/** One generated receipt: which recipient, what, when; or a copy of an earlier one (a replay). */
interface Step {
  target: number;
  state: 'delivered' | 'read' | 'clicked' | 'failed' | 'filtered';
  atSeconds: number;
  /** A click through the tracked link (by delivery id, no dedupe key) instead of a provider callback. */
  link: boolean;
  replayOf: number | null;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  // Mostly a few recipients, so that their receipts meet; sometimes any (failed ones included).
  target: fc.oneof(
    { arbitrary: fc.nat({ max: 4 }), weight: 3 },
    { arbitrary: fc.nat({ max: RECIPIENTS - 1 }), weight: 1 },
  ),
  state: fc.constantFrom('delivered', 'read', 'clicked', 'failed', 'filtered'),
  // Times fall anywhere in an hour, so receipts come late and out of order.
  atSeconds: fc.integer({ min: 0, max: 3600 }),
  link: fc.boolean(),
  replayOf: fc.option(fc.nat(), { freq: 3 }),
});
const runArb = fc.record({
  batches: fc.array(fc.array(stepArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
  parallel: fc.boolean(),
});

/**
 * The rules as documented, written apart from the engine: a delivery only moves forward
 * (sent, awaiting confirmation or uncertain → delivered → read → clicked; the highest of a
 * batch wins), a failure receipt counts only while it is no further than sent and nothing in
 * its batch shows it arrived, the earliest failure of the batch wins; anything else is ignored.
 */
const rank: Partial<Record<DeliveryState, number>> = {
  sent: 1,
  awaiting_confirmation: 1,
  uncertain: 1,
  delivered: 2,
  read: 3,
  clicked: 4,
};
function modelBatch(state: DeliveryState, events: { state: Step['state']; at: number }[]): DeliveryState {
  const from = rank[state];
  if (from === undefined) return state;
  const top = events
    .filter((e) => rank[e.state] !== undefined)
    .sort((a, b) => rank[b.state]! - rank[a.state]!)[0];
  if (top && rank[top.state]! > from) return top.state;
  if (from !== 1) return state;
  const failure = events
    .filter((e) => e.state === 'failed' || e.state === 'filtered')
    .sort((a, b) => a.at - b.at)[0];
  return failure ? failure.state : state;
}

function recount(states: readonly DeliveryState[]): Omit<Counters, 'failedByClass'> {
  const { failedByClass: _, ...c } = emptyCounters();
  for (const s of states) {
    c.total++;
    c[counterFor(s)]++;
  }
  return c;
}

describe.each(drivers)('counters after random receipt streams (%s)', (driver) => {
  let t: TestApp;
  let campaignId = 0;
  let sent: Delivery[] = [];
  let snapshot: { deliveries: string; counters: string };

  beforeAll(async () => {
    t = await startTestApp(driver, {}, [
      // Some recipients fail at the send (terminal), the rest are sent: receipts meet both.
      sandbox({
        latencyMs: { min: 1, max: 2 },
        maxRecipientsPerSend: 100,
        seed: 11,
        failureRates: { invalid_recipient: 0.15 },
      }),
      ...builtinMetrics(),
    ]);
    await insertPhoneContacts(t.app.deps.db, t.a.id, RECIPIENTS);
    const id = await createAndStartCampaign(t, {
      name: 'receipts',
      audience: { all: true },
      variants: [{ key: 'A', content: { text: '会员日特惠 https://example.com/sale 回T退订' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, id);
    campaignId = Number(id);
    sent = (
      await rows<{ id: number; state: DeliveryState; pmid: string | null }>(
        t.app.deps.db,
        sql`SELECT id, state, provider_message_id AS pmid FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id`,
      )
    ).map((d) => ({ id: String(d.id), state: d.state, pmid: d.pmid }));
    expect(sent).toHaveLength(RECIPIENTS);
    expect(new Set(sent.map((d) => d.state))).toEqual(new Set(['sent', 'failed']));
    // The state right after the send, put back before every run.
    const [d] = await rows<{ j: string }>(
      t.app.deps.db,
      sql`SELECT json_agg(d)::text AS j FROM deliveries d WHERE campaign_id = ${campaignId}`,
    );
    const [c] = await rows<{ j: string }>(
      t.app.deps.db,
      sql`SELECT json_agg(c)::text AS j FROM campaign_counters c WHERE campaign_id = ${campaignId}`,
    );
    snapshot = { deliveries: d!.j, counters: c!.j };
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const restore = async () => {
    const db = t.app.deps.db;
    await db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM events WHERE campaign_id = ${campaignId}`);
      await tx.execute(sql`DELETE FROM deliveries WHERE campaign_id = ${campaignId}`);
      await tx.execute(sql`DELETE FROM campaign_counters WHERE campaign_id = ${campaignId}`);
      await tx.execute(sql`INSERT INTO deliveries OVERRIDING SYSTEM VALUE
        SELECT * FROM json_populate_recordset(NULL::deliveries, ${snapshot.deliveries}::json)`);
      await tx.execute(sql`INSERT INTO campaign_counters
        SELECT * FROM json_populate_recordset(NULL::campaign_counters, ${snapshot.counters}::json)`);
    });
  };

  const eventOf = (s: Step): ReceiptEvent => {
    const d = sent[s.target]!;
    const at = new Date(BASE + s.atSeconds * 1000);
    if (s.link && s.state === 'clicked')
      return { deliveryId: d.id, state: 'clicked', at, source: 'link', link: 0 };
    const failure = s.state === 'failed' ? { failure: 'invalid_recipient' as const } : {};
    return d.pmid
      ? {
          channel: 'channel:sandbox',
          providerMessageId: d.pmid,
          state: s.state,
          at,
          source: 'callback',
          ...failure,
        }
      : { deliveryId: d.id, state: s.state, at, source: 'callback', ...failure };
  };

  it('every run: counters equal a recount of the rows, each recipient once, the funnel in order; applied one batch after another, each delivery ends where the model says', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async ({ batches, parallel }) => {
        await restore();
        // Replays: a step that is a copy of an earlier one (same recipient, state and time).
        const flat: Step[] = [];
        const resolved = batches.map((batch) =>
          batch.map((s) => {
            const step = s.replayOf !== null && flat.length > 0 ? flat[s.replayOf % flat.length]! : s;
            flat.push(step);
            return step;
          }),
        );
        const apply = (batch: Step[]) => t.app.deps.engine.applyReceipts(batch.map(eventOf));
        if (parallel) await Promise.all(resolved.map(apply));
        else for (const batch of resolved) await apply(batch);

        const db = t.app.deps.db;
        const now = await rows<{ id: number; state: DeliveryState }>(
          db,
          sql`SELECT id, state FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id`,
        );
        const { failedByClass: _, ...counters } = await t.app.deps.store.counters(String(campaignId));
        const states = now.map((d) => d.state);
        expect(counters).toEqual(recount(states));
        expect(counters.total).toBe(RECIPIENTS);
        const [all] = await funnelRows(db, campaignId);
        expect(all!.sent).toBe(
          states.filter((s) => ['sent', 'delivered', 'read', 'clicked'].includes(s)).length,
        );
        expect(all!.delivered).toBe(
          states.filter((s) => ['delivered', 'read', 'clicked'].includes(s)).length,
        );
        expect(all!.opened).toBe(states.filter((s) => s === 'read' || s === 'clicked').length);
        expect(all!.clicked).toBe(counters.clicked);
        expect(
          all!.sent >= all!.delivered && all!.delivered >= all!.opened && all!.opened >= all!.clicked,
        ).toBe(true);
        // A failure at the send is final whatever comes after.
        for (const [i, d] of sent.entries()) if (d.state === 'failed') expect(states[i]).toBe('failed');
        if (parallel) return;

        const model = sent.map((d) => d.state);
        for (const batch of resolved) {
          const byTarget = new Map<number, { state: Step['state']; at: number }[]>();
          for (const s of batch) {
            const list = byTarget.get(s.target) ?? [];
            list.push({ state: s.state, at: s.atSeconds });
            byTarget.set(s.target, list);
          }
          for (const [i, events] of byTarget) model[i] = modelBatch(model[i]!, events);
        }
        expect(states).toEqual(model);
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
