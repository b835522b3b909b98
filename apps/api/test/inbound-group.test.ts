import { sandbox } from '@qunfa/channels';
import { type InboundMessage, MemoryEventBus, silentLogger, systemClock } from '@qunfa/core';
import { builtinMetrics, ruleClassifier } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rows } from '../src/db/database.js';
import { DEFAULT_ATTRIBUTION_MS, recordInbound } from '../src/services/inbound/record-inbound.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Replies arriving together are recorded in one transaction (recordInbound's group commit): each
 * matched, attributed, classified and triaged once — its item, opt-out, suppression and webhook
 * events — with the insert, the workspace's settings and the triage writes as prepared
 * statements (one round trip each, parsed once per connection). On PostgreSQL, through a handle
 * of one connection, whose prepared statements are then listed.
 */

const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;
const CHANNEL = 'channel:sandbox';

describe('replies recorded together on postgres', () => {
  let testDb: TestDatabase;
  let t: TestApp;
  let handle: Database;
  let campaignId: number;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    t = await startTestApp(
      'postgres',
      {},
      [sandbox({ latencyMs: { min: 1, max: 2 }, seed: 5 }), ruleClassifier(), ...builtinMetrics()],
      {},
      testDb.url,
    );
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'grouped',
      count: 6,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    campaignId = Number(
      await createAndStartCampaign(t, {
        name: 'grouped replies',
        audience: { tag },
        variants: [{ key: 'A', content: { text: '会员日' } }],
        channelPlan: [{ channel: CHANNEL }],
      }),
    );
    await waitForCompletion(t, String(campaignId));
    const db = t.app.deps.db;
    await db.execute(
      sql`UPDATE workspaces SET triage_policy = '{"complaint":{"replyWithinMinutes":7}}'::jsonb WHERE id = ${t.a.id}`,
    );
    await db.execute(
      sql`INSERT INTO webhook_endpoints (workspace_id, url, event_types, secret)
          VALUES (${t.a.id}, 'https://hooks.example.com/q', '["inbound.message_received","triage.item_created"]'::jsonb, 'whsec-test')`,
    );
    handle = await openDatabase({ url: testDb.url, poolSize: 1 });
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    await t?.stop();
    await testDb?.drop();
  });

  it('attributes, classifies and triages each of several replies once, in prepared statements', async () => {
    const bus = new MemoryEventBus();
    const deps = {
      db: handle.db,
      bus,
      clock: systemClock,
      logger: silentLogger,
      registry: { classifiers: [ruleClassifier()] },
    };
    const at = new Date();
    const message = (i: number, text: string, id = `grp-${i}`): InboundMessage => ({
      providerMessageId: id,
      from: { kind: 'phone', value: phone(i) },
      account: i === 0 ? 'sign-1' : null,
      at,
      text,
      ...(i === 1 ? { media: [{ type: 'image' as const, ref: 'media-1' }], groupId: 'group-"1"' } : {}),
    });
    const texts = [
      '你们一直发短信骚扰我，我要投诉',
      '不需要，谢谢',
      'TD',
      '请问会员怎么办理？',
      '很感兴趣，想了解一下',
      '😀😀',
    ];
    const options = { windowMs: DEFAULT_ATTRIBUTION_MS, actor: { kind: 'system' as const, id: CHANNEL } };
    // Every call at once, and the first message twice more (a replay racing its first delivery).
    const results = await Promise.all([
      ...texts.map((text, i) => recordInbound(deps, CHANNEL, [message(i, text)], options)),
      recordInbound(deps, CHANNEL, [message(0, texts[0]!)], options),
      recordInbound(deps, CHANNEL, [message(0, texts[0]!), message(3, texts[3]!)], options),
    ]);
    const stored = results.slice(0, 6).map((r) => r.ids[0]);
    expect(results.slice(0, 6).map(({ ids: _ids, ...r }) => r)).toEqual(
      texts.map((_, i) => ({
        recorded: 1,
        duplicates: 0,
        attributed: 1,
        unsubscribed: i === 2 ? 1 : 0,
        unknownSenders: 0,
      })),
    );
    expect(stored.every((id) => typeof id === 'number')).toBe(true);
    // A duplicate answers with the id its message is stored under (null when stored by an earlier group).
    expect(results[6]).toMatchObject({ recorded: 0, duplicates: 1 });
    expect(results[7]).toMatchObject({ recorded: 0, duplicates: 2 });
    expect([null, stored[0]]).toContain(results[6]!.ids[0]);
    expect([null, stored[3]]).toContain(results[7]!.ids[1]);

    const messages = await rows<Record<string, unknown>>(
      handle.db,
      sql`SELECT provider_message_id AS id, campaign_id::int AS campaign, delivery_id IS NOT NULL AS delivered,
                 account, group_id, media, action, identity_kind, text
          FROM inbound_messages WHERE provider_message_id LIKE 'grp-%' ORDER BY provider_message_id`,
    );
    expect(messages).toEqual(
      texts.map((text, i) => ({
        id: `grp-${i}`,
        campaign: campaignId,
        delivered: true,
        account: i === 0 ? 'sign-1' : null,
        group_id: i === 1 ? 'group-"1"' : null,
        media: i === 1 ? [{ type: 'image', ref: 'media-1' }] : [],
        action: i === 2 ? 'unsubscribed' : null,
        identity_kind: 'phone',
        text,
      })),
    );
    const items = await rows<Record<string, unknown>>(
      handle.db,
      sql`SELECT m.provider_message_id AS id, i.label, i.priority, i.status, i.campaign_id::int AS campaign,
                 i.classifier, jsonb_typeof(i.reasons) AS reasons, i.confidence > 0 AS confident,
                 round(extract(epoch FROM i.due_at - i.created_at) / 60) AS due_minutes
          FROM triage_items i JOIN inbound_messages m ON m.id = i.inbound_message_id
          WHERE m.provider_message_id LIKE 'grp-%' ORDER BY m.provider_message_id`,
    );
    expect(items.map((i) => [i.id, i.label])).toEqual([
      ['grp-0', 'complaint'],
      ['grp-1', 'not_interested'],
      ['grp-2', 'unsubscribe'],
      ['grp-3', 'consultation'],
      ['grp-4', 'interested'],
      ['grp-5', 'noise'],
    ]);
    for (const item of items) {
      expect(item).toMatchObject({
        status: 'new',
        campaign: campaignId,
        classifier: 'classifier:rules',
        reasons: 'array',
        confident: true,
      });
    }
    // The workspace's policy (complaints within 7 minutes), read in the same round trip as the insert.
    expect(Number(items[0]!.due_minutes)).toBe(7);
    const [effects] = await rows<Record<string, number>>(
      handle.db,
      sql`SELECT
            (SELECT count(*)::int FROM campaign_opt_outs o JOIN inbound_messages m ON m.id = o.inbound_message_id
              WHERE m.provider_message_id LIKE 'grp-%' AND o.campaign_id = ${campaignId}) AS opt_outs,
            (SELECT count(*)::int FROM suppressions WHERE reason = 'unsubscribed') AS unsubscribed,
            (SELECT count(*)::int FROM suppressions WHERE reason = 'complained') AS complained,
            (SELECT count(*)::int FROM evidence_bundles) AS evidence,
            (SELECT count(*)::int FROM webhook_deliveries WHERE event_type = 'inbound.message_received') AS received,
            (SELECT count(*)::int FROM webhook_deliveries WHERE event_type = 'triage.item_created') AS created`,
    );
    // Opted out: the complaint, the "not interested" and the unsubscribe.
    expect(effects).toEqual({
      opt_outs: 3,
      unsubscribed: 1,
      complained: 1,
      evidence: 1,
      received: 6,
      created: 6,
    });
    // The handle's one connection holds the intake's statements prepared (drizzle's builder sent them unnamed).
    const prepared = (
      await rows<{ statement: string }>(handle.db, sql`SELECT statement FROM pg_prepared_statements`)
    ).map((p) => p.statement.replace(/\s+/g, ' '));
    for (const start of [
      'INSERT INTO inbound_messages',
      'INSERT INTO triage_items',
      'INSERT INTO campaign_opt_outs',
      'SELECT id, triage_policy, follow_up_template_id FROM workspaces',
      // The complaint's evidence bundle: its item, delivery, campaign and consent reads.
      'SELECT t.id::text, t.workspace_id::text',
      'SELECT d.id::text, d.campaign_id::text',
      'SELECT kind, value FROM contact_identities',
    ]) {
      expect(
        prepared.some((p) => p.trim().startsWith(start)),
        start,
      ).toBe(true);
    }
  });
});
