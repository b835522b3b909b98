import { createHmac } from 'node:crypto';
import { sandbox } from '@qunfa/channels';
import { type InboundMessage, QunfaError } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SECRET = 'replies-secret';
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

/**
 * A sandbox whose provider pushes replies as a signed JSON array (`x-signature`: HMAC-SHA256
 * of the body) to `/callbacks/replying/mo`, and has more for `pollInbound`.
 */
function replyingChannel() {
  const base = sandbox({ name: 'channel:replying', latencyMs: { min: 1, max: 2 }, seed: 8 });
  const pending: InboundMessage[] = [];
  return Object.assign(
    {
      ...base,
      async callback(request: { path: string; body: string; headers: Record<string, string> }) {
        if (request.path !== '/mo') return undefined;
        if (request.headers['x-signature'] !== sign(request.body)) {
          throw new QunfaError('UNAUTHENTICATED', 'bad signature');
        }
        const items = JSON.parse(request.body) as { id: string; phone: string; text: string; at: string }[];
        return {
          inbound: items.map(
            (i): InboundMessage => ({
              providerMessageId: i.id,
              from: { kind: 'phone', value: i.phone },
              account: null,
              at: new Date(i.at),
              text: i.text,
            }),
          ),
          response: { contentType: 'application/json', body: '{"code":0}' },
        };
      },
      async pollInbound() {
        return pending.splice(0);
      },
    },
    { pending },
  );
}

const phone = (i: number) => `+86136${String(i).padStart(8, '0')}`;

/** Answers nothing (replies stay `other`), but notes every text it was asked to classify. */
function countingClassifier() {
  const asked: string[] = [];
  return Object.assign(
    {
      kind: 'classifier' as const,
      name: 'classifier:counting' as const,
      classify(input: { text: string }) {
        asked.push(input.text);
        return undefined;
      },
    },
    { asked },
  );
}
const LIST = `query($c: ID) { inboundMessages(campaignId: $c) { edges { node {
  channel providerMessageId identityKind contactId campaignId deliveryId text unsubscribed contact { name } } } } }`;

describe.each(drivers)('inbound messages (replies) on %s', (driver) => {
  let t: TestApp;
  let channel: ReturnType<typeof replyingChannel>;
  let classifier: ReturnType<typeof countingClassifier>;
  let campaignId: string;

  beforeAll(async () => {
    channel = replyingChannel();
    classifier = countingClassifier();
    t = await startTestApp(driver, { receiptPollIntervalMs: 50 }, [channel, classifier, ...builtinMetrics()]);
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'replying',
      count: 4,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    // Workspace B knows contact 3's phone too, but no campaign of B reached it.
    await gqlOk(
      t.url,
      t.b.keys.operator,
      'mutation($i: [CreateContactInput!]!) { createContacts(input: $i) { id } }',
      {
        i: [{ name: 'b3', identities: [{ kind: 'PHONE', value: phone(3) }] }],
      },
    );
    campaignId = await createAndStartCampaign(t, {
      name: 'replies',
      audience: { tag },
      variants: [{ key: 'A', content: { text: '会员日' } }],
      channelPlan: [{ channel: 'channel:replying' }],
    });
    await waitForCompletion(t, campaignId);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const post = (items: unknown[], signature?: string) => {
    const body = JSON.stringify(items);
    return fetch(`${t.url}/callbacks/replying/mo`, {
      method: 'POST',
      headers: { 'x-signature': signature ?? sign(body) },
      body,
    });
  };

  it('records a signed callback’s replies once, attributed to the campaign, and a TD unsubscribes', async () => {
    const client = wsClient(t.url, t.a.keys.viewer);
    const sub = collect<{ inboundMessageReceived: { providerMessageId: string; campaignId: string } }>(
      client,
      'subscription { inboundMessageReceived { providerMessageId campaignId } }',
      {},
      (e) => e.inboundMessageReceived.providerMessageId === 'mo-2',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const at = new Date().toISOString();
    const items = [
      { id: 'mo-1', phone: phone(0), text: '请问怎么办理？', at },
      { id: 'mo-2', phone: phone(1), text: ' TD ', at },
      { id: 'mo-3', phone: '+8613999999999', text: '谁', at },
    ];
    const res = await post(items);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"code":0}');
    await sub.done;
    client.dispose();
    expect(sub.events.map((e) => e.inboundMessageReceived)).toEqual([
      { providerMessageId: 'mo-1', campaignId },
      { providerMessageId: 'mo-2', campaignId },
    ]);

    const before = await rowCounts(t.app.deps.db);
    expect((await post(items)).status).toBe(200);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);

    const { inboundMessages } = await gqlOk<{
      inboundMessages: { edges: { node: Record<string, unknown> }[] };
    }>(t.url, t.a.keys.viewer, LIST, { c: campaignId });
    expect(inboundMessages.edges.map((e) => e.node)).toMatchObject([
      {
        providerMessageId: 'mo-2',
        text: ' TD ',
        unsubscribed: true,
        identityKind: 'PHONE',
        contact: { name: 'c1' },
      },
      { providerMessageId: 'mo-1', text: '请问怎么办理？', unsubscribed: false, channel: 'channel:replying' },
    ]);
    const [suppressed] = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM suppressions WHERE reason = 'unsubscribed'`,
    );
    expect(suppressed!.n).toBe(1);
  });

  it('writes nothing for a forged callback, and 404s a path the channel does not serve', async () => {
    const before = await rowCounts(t.app.deps.db);
    const items = [{ id: 'mo-9', phone: phone(2), text: 'TD', at: new Date().toISOString() }];
    expect((await post(items, sign('something else'))).status).toBe(401);
    expect((await fetch(`${t.url}/callbacks/replying/other`, { method: 'POST', body: '[]' })).status).toBe(
      404,
    );
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('goes to the workspace whose campaign reached the sender, and polls replies too', async () => {
    channel.pending.push({
      providerMessageId: 'poll-1',
      from: { kind: 'phone', value: phone(3) },
      account: null,
      at: new Date(),
      text: '不需要',
    });
    await expect
      .poll(async () => {
        const { inboundMessages } = await gqlOk<{ inboundMessages: { edges: unknown[] } }>(
          t.url,
          t.a.keys.viewer,
          LIST,
          { c: campaignId },
        );
        return inboundMessages.edges.length;
      })
      .toBe(3);
    const inB = await gqlOk<{ inboundMessages: { edges: unknown[] } }>(t.url, t.b.keys.viewer, LIST, {});
    expect(inB.inboundMessages.edges).toEqual([]);
  });

  it('takes replies reported over GraphQL, idempotent by provider message id, within the caller’s workspace', async () => {
    const RECORD = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) {
      recorded duplicate unknownSender attributed unsubscribed message { campaignId text channel } } }`;
    const input = { fromKind: 'PHONE', fromValue: '136 0000 0002', text: '感兴趣', providerMessageId: 'p-1' };
    const asked = classifier.asked.length;
    expect((await gqlOk(t.url, t.a.keys.operator, RECORD, { i: input })).recordInboundMessage).toEqual({
      recorded: 1,
      duplicate: false,
      unknownSender: false,
      attributed: true,
      unsubscribed: 0,
      message: { campaignId, text: '感兴趣', channel: 'api' },
    });
    expect((await gqlOk(t.url, t.a.keys.operator, RECORD, { i: input })).recordInboundMessage).toMatchObject({
      recorded: 0,
      duplicate: true,
      message: null,
    });
    // The replay was recognised before classification: the reply was classified once.
    expect(classifier.asked.slice(asked)).toEqual(['感兴趣']);
    // B has no contact 2: nothing is stored, and A's contact is not B's to see — nor that A has
    // a message under that id (the replay check looks in the caller's workspace only).
    expect((await gqlOk(t.url, t.b.keys.operator, RECORD, { i: input })).recordInboundMessage).toMatchObject({
      recorded: 0,
      duplicate: false,
      unknownSender: true,
    });
    expect(
      (await gqlOk(t.url, t.b.keys.operator, RECORD, { i: { ...input, providerMessageId: 'p-2' } }))
        .recordInboundMessage,
    ).toMatchObject({
      recorded: 0,
      unknownSender: true,
    });
    const before = await rowCounts(t.app.deps.db);
    for (const [key, i, code] of [
      [t.a.keys.viewer, input, 'FORBIDDEN'],
      [t.a.keys.operator, { ...input, fromValue: '12' }, 'INVALID_INPUT'],
      [t.a.keys.operator, { ...input, channel: 'sms' }, 'INVALID_INPUT'],
      [t.a.keys.operator, { ...input, text: 'x'.repeat(20_001) }, 'INVALID_INPUT'],
    ] as const) {
      expect(codesOf(await gql(t.url, key, RECORD, { i }))).toEqual([code]);
    }
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    // A NUL character cannot be stored: refused like any other bad input, writing nothing.
    const nul = { ...input, providerMessageId: 'p-3', text: 'a\u0000b' };
    expect(codesOf(await gql(t.url, t.a.keys.operator, RECORD, { i: nul }))).toEqual(['INVALID_INPUT']);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });
});
