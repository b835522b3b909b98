import { createHash, createHmac } from 'node:crypto';
import { sandbox } from '@qunfa/channels';
import { builtinMetrics, recipientRules, ruleClassifier } from '@qunfa/plugins';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const phone = (i: number) => `+86135${String(i).padStart(8, '0')}`;
const RECORD = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { message { id } } }`;
const ITEMS = 'query { triageItems(first: 100) { edges { node { id label message { text } } } } }';
const EVIDENCE = `query($id: ID!) { complaintEvidence(triageItemId: $id) { id triageItemId document sha256 signature } }`;
const LOG = `query($first: Int, $after: String, $f: AuditFilter) { auditLog(first: $first, after: $after, filter: $f) {
  edges { node { id at actorKind actorId action subjectType subjectId details } } pageInfo { hasNextPage endCursor } } }`;
const EXPORT = `query($format: AuditExportFormat!, $f: AuditFilter) { auditLogExport(format: $format, filter: $f) {
  format count content } }`;

interface Bundle {
  id: string;
  triageItemId: string;
  document: string;
  sha256: string;
  signature: string | null;
}

describe.each(drivers)('complaint evidence and the audit log on %s', (driver) => {
  let t: TestApp;
  let channel: ReturnType<typeof sandbox>;
  let campaignId: string;

  const reply = (i: number, text: string, id: string) =>
    gqlOk(t.url, t.a.keys.operator, RECORD, {
      i: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone(i), text, providerMessageId: id },
    });
  const itemOf = async (text: string) =>
    (
      await gqlOk<{
        triageItems: { edges: { node: { id: string; label: string; message: { text: string } } }[] };
      }>(t.url, t.a.keys.viewer, ITEMS)
    ).triageItems.edges
      .map((e) => e.node)
      .find((n) => n.message.text === text)!;

  beforeAll(async () => {
    channel = sandbox({ latencyMs: { min: 1, max: 2 }, seed: 9 });
    t = await startTestApp(driver, {}, (services) => [
      channel,
      ruleClassifier(),
      ...recipientRules({ facts: services.recipientFacts, quietHours: { enabled: false } }),
      ...builtinMetrics(),
    ]);
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'evidence',
      count: 3,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    campaignId = await createAndStartCampaign(t, {
      name: 'member day',
      audience: { tag },
      variants: [
        { key: 'A', content: { text: '{{name}}，会员日详情 https://shop.example.com/d?x=1 回TD退订' } },
      ],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, campaignId);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('assembles a signed bundle when a complaint is classified, with the content as the contact got it', async () => {
    const text = '你们一直发短信骚扰我，我要投诉';
    await reply(1, text, 'complaint-1');
    await reply(1, text, 'complaint-1'); // a replayed callback: counted once
    const item = await itemOf(text);
    expect(item.label).toBe('COMPLAINT');
    const { complaintEvidence: bundle } = await gqlOk<{ complaintEvidence: Bundle }>(
      t.url,
      t.a.keys.operator,
      EVIDENCE,
      { id: item.id },
    );
    expect(bundle.sha256).toBe(createHash('sha256').update(bundle.document).digest('hex'));
    expect(bundle.signature).toBe(
      createHmac('sha256', t.app.deps.evidence!.signingKey!).update(bundle.document).digest('hex'),
    );
    const doc = JSON.parse(bundle.document);
    expect(doc.format).toBe('qunfa.complaint-evidence/1');
    expect(doc.complaint).toMatchObject({ triageItemId: item.id, label: 'complaint', priority: 'urgent' });
    expect(doc.reply).toMatchObject({ text, channel: 'channel:sandbox', providerMessageId: 'complaint-1' });

    // The very text the provider accepted for this delivery, tracked link and name included.
    const sent = channel.provider.accepted().find((m) => m.messageId === doc.delivery.id)!;
    expect(sent).toBeDefined();
    expect(doc.delivery.contentAsSent).toEqual(sent.content);
    expect(sent.content.text).toContain('c1，');
    expect(sent.content.text).not.toContain('shop.example.com');
    expect(doc.delivery).toMatchObject({ campaignId, channel: 'channel:sandbox', state: 'sent' });
    expect(doc.delivery.attempts.map((a: { status: string }) => a.status)).toEqual(['sent']);
    expect(doc.campaign).toMatchObject({ id: campaignId, name: 'member day' });
    expect(Array.isArray(doc.campaign.findings)).toBe(true);
    expect(doc.consent.identities).toEqual([{ kind: 'phone', value: phone(1) }]);
    expect(doc.consent.suppressions.map((s: { reason: string }) => s.reason)).toEqual(['complained']);
    const actions = doc.audit.map((a: { action: string }) => a.action);
    expect(actions).toContain('campaign.created');
    expect(actions).toContain('contacts.complained_by_reply');

    const recorded = await rows<{ details: { sha256: string; bundleId: number } }>(
      t.app.deps.db,
      sql`SELECT details FROM audit_log WHERE action = 'complaint.evidence_assembled'`,
    );
    expect(recorded.map((r) => r.details.sha256)).toEqual([bundle.sha256]);
    const [count] = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM evidence_bundles`,
    );
    expect(count!.n).toBe(1);
  });

  it('shows a bundle to operators of its workspace only; none for other classes', async () => {
    const complaint = await itemOf('你们一直发短信骚扰我，我要投诉');
    expect(codesOf(await gql(t.url, t.a.keys.viewer, EVIDENCE, { id: complaint.id }))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.url, t.b.keys.admin, EVIDENCE, { id: complaint.id }))).toEqual(['NOT_FOUND']);
    await reply(2, '请问会员怎么办理', 'consult-2');
    const consultation = await itemOf('请问会员怎么办理');
    expect(
      (await gqlOk(t.url, t.a.keys.operator, EVIDENCE, { id: consultation.id })).complaintEvidence,
    ).toBeNull();
  });

  it('pages and filters the audit log for admins, newest first', async () => {
    expect(codesOf(await gql(t.url, t.a.keys.operator, LOG, {}))).toEqual(['FORBIDDEN']);
    type Page = {
      auditLog: {
        edges: { node: { id: string; action: string; subjectId: string; at: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const all = (await gqlOk<Page>(t.url, t.a.keys.admin, LOG, { first: 500 })).auditLog.edges.map(
      (e) => e.node,
    );
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((e) => Number(e.id))).toEqual([...all.map((e) => Number(e.id))].sort((a, b) => b - a));

    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: Page = await gqlOk<Page>(t.url, t.a.keys.admin, LOG, { first: 2, after });
      seen.push(...page.auditLog.edges.map((e) => e.node.id));
      if (!page.auditLog.pageInfo.hasNextPage) break;
      after = page.auditLog.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((e) => e.id));

    const campaignOnly = (
      await gqlOk<Page>(t.url, t.a.keys.admin, LOG, {
        f: { subjectType: 'campaign', subjectId: campaignId, action: 'campaign.*' },
      })
    ).auditLog.edges.map((e) => e.node);
    expect(campaignOnly.length).toBeGreaterThan(0);
    expect(campaignOnly.every((e) => e.action.startsWith('campaign.') && e.subjectId === campaignId)).toBe(
      true,
    );
    const system = (
      await gqlOk<Page>(t.url, t.a.keys.admin, LOG, { f: { action: 'complaint.evidence_assembled' } })
    ).auditLog.edges;
    expect(system).toHaveLength(1);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await gqlOk<Page>(t.url, t.a.keys.admin, LOG, { f: { from: future } })).auditLog.edges).toEqual(
      [],
    );
    const bad = await gql(t.url, t.a.keys.admin, LOG, {
      f: { from: future, to: new Date(0).toISOString() },
    });
    expect(codesOf(bad)).toEqual(['INVALID_INPUT']);
    expect(bad.errors?.[0]?.extensions?.details?.field).toBe('filter.from');
    expect(codesOf(await gql(t.url, t.a.keys.admin, LOG, { f: { action: "x%' OR 1=1" } }))).toEqual([
      'INVALID_INPUT',
    ]);
    // Another workspace's admin sees none of it.
    expect(
      (await gqlOk<Page>(t.url, t.b.keys.admin, LOG, { f: { subjectId: campaignId } })).auditLog.edges,
    ).toEqual([]);
  });

  it('exports the filtered log as CSV and JSON Lines, oldest first', async () => {
    type Export = { auditLogExport: { format: string; count: number; content: string } };
    const f = { action: 'campaign.*' };
    const csv = (await gqlOk<Export>(t.url, t.a.keys.admin, EXPORT, { format: 'CSV', f })).auditLogExport;
    const records = parse(csv.content, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(csv.count);
    expect(csv.count).toBeGreaterThan(0);
    expect(Object.keys(records[0]!)).toEqual([
      'id',
      'at',
      'actorKind',
      'actorId',
      'action',
      'subjectType',
      'subjectId',
      'details',
    ]);
    expect(records.every((r) => r.action!.startsWith('campaign.'))).toBe(true);
    expect(records.map((r) => Number(r.id))).toEqual(records.map((r) => Number(r.id)).sort((a, b) => a - b));
    expect(() => JSON.parse(records[0]!.details!)).not.toThrow();
    const jsonl = (await gqlOk<Export>(t.url, t.a.keys.admin, EXPORT, { format: 'JSONL', f })).auditLogExport;
    const lines = jsonl.content
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(records.map((r) => r.id));
    expect(codesOf(await gql(t.url, t.a.keys.operator, EXPORT, { format: 'CSV' }))).toEqual(['FORBIDDEN']);
  });
});
