import { sandbox } from '@qunfa/channels';
import { FakeClock } from '@qunfa/core';
import { builtinMetrics, recipientRules, ruleClassifier } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { listTriageItems, triageSummary } from '../src/services/triage/triage-items.js';
import { createSqlRecipientFacts } from '../src/store/recipient-facts-sql.js';
import { drivers } from './support/databases.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const phone = (i: number) => `+86137${String(i).padStart(8, '0')}`;
const RECORD = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) {
  message { id } } }`;
const ITEMS = `query($s: [TriageStatus!], $l: [ReplyClass!]) { triageItems(status: $s, label: $l) { edges { node {
  id label priority status assignee dueAt overdue campaignId classifier reasons message { text receivedAt } } } } }`;

interface Item {
  id: string;
  label: string;
  priority: string;
  status: string;
  assignee: string | null;
  dueAt: string | null;
  overdue: boolean;
  campaignId: string | null;
  classifier: string | null;
  reasons: string[];
  message: { text: string; receivedAt: string };
}

describe.each(drivers)('reply triage on %s', (driver) => {
  let t: TestApp;
  let channel: ReturnType<typeof sandbox>;
  let campaignId: string;

  beforeAll(async () => {
    channel = sandbox({ latencyMs: { min: 1, max: 2 }, seed: 3 });
    t = await startTestApp(driver, {}, (services) => [
      channel,
      ruleClassifier(),
      ...recipientRules({ facts: services.recipientFacts, quietHours: { enabled: false } }),
      ...builtinMetrics(),
    ]);
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'triage',
      count: 5,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    campaignId = await createAndStartCampaign(t, {
      name: 'triage',
      audience: { tag },
      variants: [{ key: 'A', content: { text: '会员日' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, campaignId);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const reply = (i: number, text: string, id: string) =>
    gqlOk(t.url, t.a.keys.operator, RECORD, {
      i: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone(i), text, providerMessageId: id },
    });
  const items = async (vars: Record<string, unknown> = {}) =>
    (
      await gqlOk<{ triageItems: { edges: { node: Item }[] } }>(t.url, t.a.keys.viewer, ITEMS, vars)
    ).triageItems.edges.map((e) => e.node);
  const byLabel = async (label: string) => (await items({ l: [label.toUpperCase()] }))[0]!;

  it('classifies each reply into an item with priority and deadline, streamed; complainers suppressed', async () => {
    // A first item, and probes of it on the bus until the subscription is seen to be up.
    await reply(4, '好的', 'm-warm');
    const warm = (await items())[0]!;
    const client = wsClient(t.url, t.a.keys.viewer);
    const sub = collect<{ triageItemChanged: { change: string; item: { label: string } } }>(
      client,
      'subscription { triageItemChanged { change item { label } } }',
      {},
      (e) => e.triageItemChanged.item.label === 'NOT_INTERESTED',
    );
    const probe = { workspaceId: String(t.a.id), id: warm.id, change: 'probe', at: new Date().toISOString() };
    for (let i = 0; sub.events.length === 0; i++) {
      if (i > 200) throw new Error('the subscription never started');
      await t.app.deps.bus.publish('triage.item', String(t.a.id), probe);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await reply(0, '你们天天发短信骚扰，我要投诉！', 'm-0');
    await reply(1, '请问会员怎么办理？', 'm-1');
    await reply(2, '不需要，谢谢', 'm-2');
    await sub.done;
    client.dispose();
    expect(
      sub.events
        .filter((e) => e.triageItemChanged.change !== 'probe')
        .map((e) => [e.triageItemChanged.change, e.triageItemChanged.item.label]),
    ).toEqual([
      ['created', 'COMPLAINT'],
      ['created', 'CONSULTATION'],
      ['created', 'NOT_INTERESTED'],
    ]);
    expect(warm.label).toBe('OTHER');
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { resolveTriageItem(id: $id) { id } }', {
      id: warm.id,
    });

    const complaint = await byLabel('complaint');
    expect(complaint).toMatchObject({
      priority: 'URGENT',
      status: 'NEW',
      overdue: false,
      campaignId,
      classifier: 'classifier:rules',
    });
    const minutes = (i: Item) => (Date.parse(i.dueAt!) - Date.parse(i.message.receivedAt)) / 60_000;
    expect(minutes(complaint)).toBe(15);
    const consultation = await byLabel('consultation');
    expect(consultation.priority).toBe('HIGH');
    expect(minutes(consultation)).toBe(30);
    expect((await byLabel('not_interested')).dueAt).toBeNull();

    const suppressed = await rows<{ reason: string; n: number }>(
      t.app.deps.db,
      sql`SELECT reason, count(*)::int AS n FROM suppressions GROUP BY reason`,
    );
    expect(suppressed).toEqual([{ reason: 'complained', n: 1 }]);
    const [audit] = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'contacts.complained_by_reply'`,
    );
    expect(audit!.n).toBe(1);
  });

  it('opts a "not interested" contact out of that campaign only', async () => {
    const [contact] = await rows<{ id: number | string }>(
      t.app.deps.db,
      sql`SELECT o.contact_id AS id FROM campaign_opt_outs o JOIN triage_items i ON i.inbound_message_id = o.inbound_message_id
          WHERE o.campaign_id = ${Number(campaignId)} AND i.label = 'not_interested'`,
    );
    const facts = createSqlRecipientFacts(t.app.deps.db);
    const query = { workspaceId: String(t.a.id), contactIds: [String(contact!.id)], sentSince: new Date(0) };
    const here = await facts.recipientFacts({ ...query, campaignId });
    expect(here.get(String(contact!.id))?.suppressions).toEqual(['opted_out']);
    const elsewhere = await facts.recipientFacts({ ...query, campaignId: String(Number(campaignId) + 1000) });
    expect(elsewhere.get(String(contact!.id))?.suppressions).toEqual([]);
  });

  it('assigns, replies over the channel it came from once per idempotency key, and resolves', async () => {
    const consultation = await byLabel('consultation');
    const ASSIGN =
      'mutation($id: ID!, $a: String!) { assignTriageItem(id: $id, assignee: $a) { status assignee } }';
    expect(codesOf(await gql(t.url, t.a.keys.viewer, ASSIGN, { id: consultation.id, a: 'li' }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codesOf(await gql(t.url, t.a.keys.operator, ASSIGN, { id: consultation.id, a: '  ' }))).toEqual([
      'INVALID_INPUT',
    ]);
    expect(codesOf(await gql(t.url, t.b.keys.operator, ASSIGN, { id: consultation.id, a: 'li' }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(
      (await gqlOk(t.url, t.a.keys.operator, ASSIGN, { id: consultation.id, a: 'li' })).assignTriageItem,
    ).toEqual({
      status: 'ASSIGNED',
      assignee: 'li',
    });

    const REPLY = `mutation($id: ID!, $k: String) { replyToTriageItem(id: $id, text: "您好，回复1即可办理", idempotencyKey: $k) {
      item { status } reply { id status channel providerMessageId } } }`;
    const accepted = channel.provider.accepted().length;
    const first = await gqlOk<{ replyToTriageItem: { item: unknown; reply: { id: string } } }>(
      t.url,
      t.a.keys.operator,
      REPLY,
      { id: consultation.id, k: 'answer-1' },
    );
    expect(first.replyToTriageItem).toMatchObject({
      item: { status: 'REPLIED' },
      reply: { status: 'sent', channel: 'channel:sandbox' },
    });
    const again = await gqlOk<{ replyToTriageItem: { reply: { id: string } } }>(
      t.url,
      t.a.keys.operator,
      REPLY,
      {
        id: consultation.id,
        k: 'answer-1',
      },
    );
    expect(again.replyToTriageItem.reply.id).toBe(first.replyToTriageItem.reply.id);
    const sent = channel.provider.accepted().slice(accepted);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ content: { text: '您好，回复1即可办理' }, campaignId: '' });

    const RESOLVE = 'mutation($id: ID!) { resolveTriageItem(id: $id) { status overdue } }';
    expect(
      (await gqlOk(t.url, t.a.keys.operator, RESOLVE, { id: consultation.id })).resolveTriageItem,
    ).toEqual({
      status: 'RESOLVED',
      overdue: false,
    });
    const before = await rowCounts(t.app.deps.db);
    expect(codesOf(await gql(t.url, t.a.keys.operator, RESOLVE, { id: consultation.id }))).toEqual([
      'ILLEGAL_TRANSITION',
    ]);
    expect(
      codesOf(await gql(t.url, t.a.keys.operator, REPLY, { id: consultation.id, k: 'answer-2' })),
    ).toEqual(['ILLEGAL_TRANSITION']);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('flags and counts overdue items on a fake clock', async () => {
    await reply(3, '怎么开通自动续费？', 'm-3');
    const received = new Date((await byLabel('complaint')).message.receivedAt);
    const clock = new FakeClock(received);
    const deps = { ...t.app.deps, clock };
    const principal = { workspaceId: t.a.id, role: 'viewer' as const, keyId: 0, keyName: 'test' };
    const summary = () => triageSummary(deps, principal);
    expect((await summary()).overdue).toBe(0);
    await clock.advance(15 * 60_000 + 1);
    // The complaint (15 min) is overdue; the new consultation (30 min) is not yet.
    expect(await summary()).toMatchObject({ open: 3, overdue: 1 });
    await clock.advance(30 * 60_000);
    const late = await summary();
    expect(late).toMatchObject({ open: 3, overdue: 2 });
    expect(late.byLabel.find((l) => l.label === 'consultation')).toEqual({
      label: 'consultation',
      open: 1,
      overdue: 1,
    });
    const overdue = await listTriageItems(deps, principal, { overdue: true });
    expect(overdue.edges.map((e) => e.node.label).sort()).toEqual(['complaint', 'consultation']);
  });

  it('takes per-workspace deadlines from admins only, checked before anything is written', async () => {
    const SET = `mutation($i: [TriagePolicyInput!]!) { setTriagePolicy(input: $i) { label priority replyWithinMinutes } }`;
    const before = await rowCounts(t.app.deps.db);
    expect(
      codesOf(
        await gql(t.url, t.a.keys.operator, SET, { i: [{ label: 'COMPLAINT', replyWithinMinutes: 5 }] }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codesOf(await gql(t.url, t.a.keys.admin, SET, { i: [{ label: 'COMPLAINT', replyWithinMinutes: 0 }] })),
    ).toEqual(['INVALID_INPUT']);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    const set = await gqlOk<{ setTriagePolicy: { label: string; replyWithinMinutes: number | null }[] }>(
      t.url,
      t.a.keys.admin,
      SET,
      {
        i: [
          { label: 'COMPLAINT', replyWithinMinutes: 5 },
          { label: 'CONSULTATION', clearDeadline: true },
        ],
      },
    );
    expect(set.setTriagePolicy.find((e) => e.label === 'COMPLAINT')?.replyWithinMinutes).toBe(5);
    expect(set.setTriagePolicy.find((e) => e.label === 'CONSULTATION')?.replyWithinMinutes).toBeNull();
    await reply(4, '这是诈骗吧，我要举报', 'm-4');
    const newest = (await items({ l: ['COMPLAINT'] })).sort((a, b) => Number(a.id) - Number(b.id)).at(-1)!;
    expect((Date.parse(newest.dueAt!) - Date.parse(newest.message.receivedAt)) / 60_000).toBe(5);
    // Workspace B keeps the defaults.
    const b = await gqlOk<{ triagePolicy: { label: string; replyWithinMinutes: number | null }[] }>(
      t.url,
      t.b.keys.viewer,
      '{ triagePolicy { label replyWithinMinutes } }',
    );
    expect(b.triagePolicy.find((e) => e.label === 'COMPLAINT')?.replyWithinMinutes).toBe(15);
  });

  it('lists the next to answer first — earliest deadline, then priority — in pages, or oldest first on request', async () => {
    const PAGE = `query($after: String, $order: TriageOrder) { triageItems(first: 2, after: $after, order: $order) {
      edges { node { id priority dueAt } } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      triageItems: {
        edges: { node: { id: string; priority: string; dueAt: string | null } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    // A question first (30 minutes to answer), a complaint after it (15): the complaint is due first.
    await reply(0, '请问会员积分怎么查？', 'order-question');
    await reply(1, '你们乱扣费，我要投诉到消协', 'order-complaint');
    const all = async (order: string) => {
      const seen: Page['triageItems']['edges'][number]['node'][] = [];
      let after: string | null = null;
      for (let i = 0; i < 50; i++) {
        const { triageItems }: Page = await gqlOk<Page>(t.url, t.a.keys.viewer, PAGE, { after, order });
        seen.push(...triageItems.edges.map((e) => e.node));
        if (!triageItems.pageInfo.hasNextPage) break;
        after = triageItems.pageInfo.endCursor;
      }
      return seen;
    };
    const rank = ['URGENT', 'HIGH', 'NORMAL', 'LOW'];
    const deadline = await all('DEADLINE');
    const expected = [...deadline].sort(
      (a, b) =>
        (a.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(a.dueAt)) -
          (b.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(b.dueAt)) ||
        rank.indexOf(a.priority) - rank.indexOf(b.priority) ||
        Number(a.id) - Number(b.id),
    );
    expect(deadline.map((n) => n.id)).toEqual(expected.map((n) => n.id));
    const arrival = await all('ARRIVAL');
    expect(arrival.map((n) => n.id)).toEqual(
      [...arrival].map((n) => n.id).sort((a, b) => Number(a) - Number(b)),
    );
    expect(new Set(deadline.map((n) => n.id))).toEqual(new Set(arrival.map((n) => n.id)));
    expect(deadline.length).toBeGreaterThanOrEqual(4);
    const question = arrival.at(-2)!;
    const complaint = arrival.at(-1)!;
    const at = (id: string) => deadline.findIndex((n) => n.id === id);
    expect(at(complaint.id)).toBeLessThan(at(question.id));
    expect(codesOf(await gql(t.url, t.a.keys.viewer, PAGE, { after: 'bm90LWEtY3Vyc29y' }))).toEqual([
      'INVALID_INPUT',
    ]);
  });
});
