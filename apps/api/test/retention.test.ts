import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics, ruleClassifier } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { purgeExpired } from '../src/services/retention/purge-expired.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const plugins = (): QunfaPlugin[] => [
  sandbox({ latencyMs: { min: 1, max: 2 }, maxRecipientsPerSend: 100 }),
  ...builtinMetrics(),
  ruleClassifier(),
];

const phone = (i: number) => `+8613822${String(i).padStart(6, '0')}`;
const complaint = (i: number) => `第${i}号客户：你们一直发短信骚扰我，我要投诉`;

interface Bundle {
  id: string;
  contactId: string;
  document: string;
  sha256: string;
  signature: string | null;
  redacted: boolean;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(drivers)('retention, erasure of evidence and legal holds (%s)', (driver) => {
  let t: TestApp;
  const contactIds: string[] = [];
  const bundles = () =>
    rows<Bundle>(
      t.app.deps.db,
      sql`SELECT id::text AS id, contact_id::text AS "contactId", document, sha256, signature,
                 redacted_at IS NOT NULL AS redacted
          FROM evidence_bundles WHERE workspace_id = ${t.a.id} ORDER BY contact_id`,
    );
  const setHold = `mutation($id: ID!, $reason: String) { setEvidenceHold(id: $id, reason: $reason) {
    id legalHoldAt legalHoldReason redactedAt } }`;

  beforeAll(async () => {
    t = await startTestApp(driver, {}, plugins());
    const admin = t.a.keys.admin;
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'kept',
      count: 3,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    const createCampaign = {
      id: await createAndStartCampaign(
        t,
        {
          name: 'promo',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '{{name}}，会员日满100减20，回复TD退订' } }],
          channelPlan: [{ channel: 'channel:sandbox' }],
          quietHours: { mode: 'OFF' },
        },
        admin,
      ),
    };
    await waitForCompletion(t, createCampaign.id);
    const inbound =
      'mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { __typename } }';
    for (const [i, text] of [complaint(0), complaint(1), '请问会员日怎么办理？'].entries()) {
      await gqlOk(t.url, admin, inbound, {
        input: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone(i), text },
      });
    }
    const found = await rows<{ id: string }>(
      t.app.deps.db,
      sql`SELECT c.id::text AS id FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id
          WHERE c.workspace_id = ${t.a.id} ORDER BY ci.value`,
    );
    contactIds.push(...found.map((f) => f.id));
    await until(bundles, (b) => b.length === 2, 'two evidence bundles');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('holds a bundle for a legal claim, admins only, with a reason', async () => {
    const [, held] = await bundles();
    expect(
      codesOf(await gql(t.url, t.a.keys.operator, setHold, { id: held!.id, reason: 'court case 2026-17' })),
    ).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.url, t.a.keys.admin, setHold, { id: held!.id, reason: 'x' }))).toEqual([
      'INVALID_INPUT',
    ]);
    expect(
      codesOf(await gql(t.url, t.b.keys.admin, setHold, { id: held!.id, reason: 'court case 2026-17' })),
    ).toEqual(['NOT_FOUND']);
    const done = await gqlOk<{ setEvidenceHold: { legalHoldAt: string | null; legalHoldReason: string } }>(
      t.url,
      t.a.keys.admin,
      setHold,
      { id: held!.id, reason: 'court case 2026-17' },
    );
    expect(done.setEvidenceHold).toMatchObject({
      legalHoldAt: expect.any(String),
      legalHoldReason: 'court case 2026-17',
    });
  });

  it('erasing a person redacts their evidence, except what a legal hold keeps, and says so in the audit log', async () => {
    const before = await bundles();
    expect(before.map((b) => b.document.includes('骚扰我'))).toEqual([true, true]);
    const erase = 'mutation($id: ID!) { eraseContact(id: $id) { id } }';
    await gqlOk(t.url, t.a.keys.admin, erase, { id: contactIds[0] });
    await gqlOk(t.url, t.a.keys.admin, erase, { id: contactIds[1] });
    const after = await bundles();
    // The first: a stub, unsigned, its hash still the original's (the audit log names it).
    expect(after[0]).toMatchObject({ redacted: true, signature: null, sha256: before[0]!.sha256 });
    expect(JSON.parse(after[0]!.document)).toEqual({ redacted: 'erasure', redactedAt: expect.any(String) });
    // The second is held: kept byte for byte.
    expect(after[1]).toEqual(before[1]);
    const audit = await rows<{ details: Record<string, number> }>(
      t.app.deps.db,
      sql`SELECT details FROM audit_log WHERE workspace_id = ${t.a.id} AND action = 'contact.erased' ORDER BY id`,
    );
    expect(audit.map((a) => [a.details.evidenceRedacted, a.details.evidenceHeld])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    // A redacted bundle has nothing left to hold.
    expect(
      codesOf(await gql(t.url, t.a.keys.admin, setHold, { id: after[0]!.id, reason: 'too late for this' })),
    ).toEqual(['CONFLICT']);
  });

  it('purges what is past each kind of retention in small batches, keeps held evidence, and does it once', async () => {
    const setRetention = `mutation($input: RetentionInput!) { setRetention(input: $input) { inboundDays deliveryDetailDays evidenceDays } }`;
    expect(codesOf(await gql(t.url, t.a.keys.admin, setRetention, { input: { inboundDays: 0 } }))).toEqual([
      'INVALID_INPUT',
    ]);
    expect(codesOf(await gql(t.url, t.a.keys.operator, setRetention, { input: { inboundDays: 7 } }))).toEqual(
      ['FORBIDDEN'],
    );
    const set = await gqlOk<{ setRetention: unknown }>(t.url, t.a.keys.admin, setRetention, {
      input: { inboundDays: 7, deliveryDetailDays: 3 },
    });
    expect(set.setRetention).toEqual({ inboundDays: 7, deliveryDetailDays: 3, evidenceDays: 365 });
    const db = t.app.deps.db;
    const count = async (q: ReturnType<typeof sql>) => (await rows<{ n: number }>(db, q))[0]!.n;
    const inboundLeft = () =>
      count(
        sql`SELECT count(*)::int AS n FROM inbound_messages WHERE workspace_id = ${t.a.id} AND text <> ''`,
      );
    const idsLeft = () =>
      count(
        sql`SELECT count(*)::int AS n FROM delivery_attempts WHERE workspace_id = ${t.a.id} AND provider_message_id IS NOT NULL`,
      );
    // The consultation's text is left (the erased ones were emptied already); the third contact's attempt keeps its id.
    expect(await inboundLeft()).toBe(1);
    expect(await idsLeft()).toBe(1);

    // Four days on: delivery details are past their 3 days, messages not past their 7.
    const day = 86_400_000;
    const first = await purgeExpired(db, new Date(Date.now() + 4 * day), 1);
    expect(first).toMatchObject({ inboundMessages: 0, deliveryAttempts: 1, evidenceBundles: 0 });
    expect(await inboundLeft()).toBe(1);
    expect(await idsLeft()).toBe(0);
    // Two years on, one row a transaction: the message goes; the held bundle stays whole.
    const held = (await bundles())[1]!;
    const later = await purgeExpired(db, new Date(Date.now() + 730 * day), 1);
    expect(later).toMatchObject({
      inboundMessages: 1,
      deliveryAttempts: 0,
      evidenceBundles: 0,
      evidenceHeld: 1,
    });
    expect(await inboundLeft()).toBe(0);
    expect((await bundles())[1]).toEqual(held);
    // Lifting the hold lets retention take it.
    await gqlOk(t.url, t.a.keys.admin, setHold, { id: held.id, reason: null });
    const lifted = await purgeExpired(db, new Date(Date.now() + 730 * day), 1);
    expect(lifted).toMatchObject({ evidenceBundles: 1, evidenceHeld: 0 });
    expect(JSON.parse((await bundles())[1]!.document)).toEqual({
      redacted: 'retention',
      redactedAt: expect.any(String),
    });
    // Nothing is left to do, and nothing is counted twice.
    expect(await purgeExpired(db, new Date(Date.now() + 730 * day))).toEqual({
      inboundMessages: 0,
      triageReplies: 0,
      deliveryAttempts: 0,
      events: 0,
      evidenceBundles: 0,
      evidenceHeld: 0,
    });
    const purged = await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = ${t.a.id} AND action = 'retention.purged'`,
    );
    expect(purged[0]!.n).toBe(3);
  });
});
