/*
 * What must be true after the legs, recomputed from the rows and from what was sent: the
 * campaign's counters (sum of shards) equal a recomputation from its deliveries and what the
 * receipts and clicks sent make them; inbound messages and triage items equal the replies sent,
 * replays included once.
 */
import { type Db, rows } from '@qunfa/api/src/db/database.js';
import { sql } from 'drizzle-orm';
import { clicked, failedReceipt } from './intake-requests.js';
import type { SmsRecord } from './send-campaign.js';

export async function checkCounters(
  db: Db,
  sent: {
    campaignId: string;
    /**
     * The deliveries, in the halves the legs used (each receipt's and click's position is in its
     * half), and whether their receipts were pushed and their clicks sent.
     */
    halves: { recs: SmsRecord[]; receipts: boolean; clicks: boolean }[];
    /** Replies sent once each (replays not counted). */
    repliesSent: number;
  },
) {
  const { campaignId, halves, repliesSent } = sent;
  const [counters] = await rows<Record<string, number>>(
    db,
    sql`SELECT sum(total)::int AS total, sum(sent)::int AS sent, sum(delivered)::int AS delivered,
               sum(clicked)::int AS clicked, sum(failed)::int AS failed,
               sum(failed_invalid_recipient)::int AS "failedInvalidRecipient"
        FROM campaign_counters WHERE campaign_id = ${Number(campaignId)}::bigint`,
  );
  const [recomputed] = await rows<Record<string, number>>(
    db,
    sql`SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'sent')::int AS sent,
               count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
               count(*) FILTER (WHERE state = 'clicked')::int AS clicked,
               count(*) FILTER (WHERE state = 'failed')::int AS failed,
               count(*) FILTER (WHERE failure_class = 'invalid_recipient')::int AS "failedInvalidRecipient"
        FROM deliveries WHERE campaign_id = ${Number(campaignId)}::bigint`,
  );
  // From what the bench sent: a failure receipt fails the delivery (a click on it does not revive
  // it); a delivery neither reported nor clicked stays sent.
  const expected = {
    total: halves.reduce((n, half) => n + half.recs.length, 0),
    sent: 0,
    delivered: 0,
    clicked: 0,
    failed: 0,
    failedInvalidRecipient: 0,
  };
  for (const { recs, receipts, clicks } of halves) {
    const clickedSet = new Set(clicks ? clicked(recs).map((r) => r.phone) : []);
    for (const [j, r] of recs.entries()) {
      if (receipts && failedReceipt(j)) {
        expected.failed++;
        expected.failedInvalidRecipient++;
      } else if (clickedSet.has(r.phone)) expected.clicked++;
      else if (receipts) expected.delivered++;
      else expected.sent++;
    }
  }
  const [inbound] = await rows<{ messages: number; items: number; bundles: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM inbound_messages) AS messages,
               (SELECT count(*)::int FROM triage_items) AS items,
               (SELECT count(*)::int FROM evidence_bundles) AS bundles`,
  );
  const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);
  const exact =
    same(counters!, recomputed!) &&
    same(counters!, expected) &&
    inbound!.messages === repliesSent &&
    inbound!.items === repliesSent;
  return {
    exact,
    lines: [
      `counters ${JSON.stringify(counters)}`,
      `recomputed from deliveries ${JSON.stringify(recomputed)}`,
      `expected from what was sent ${JSON.stringify(expected)}`,
      `inbound messages ${inbound!.messages}, triage items ${inbound!.items} of ${repliesSent} replies (replays included once), evidence bundles ${inbound!.bundles}: ${exact ? 'exact' : 'MISMATCH'}`,
    ],
  };
}
