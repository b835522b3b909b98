import { createHmac } from 'node:crypto';
import { type SandboxChannel, sandbox } from '@qunfa/channels';
import { type DeliveryEvent, QunfaError } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Group commit of replies: calls arriving together share one transaction, each answered only
 * after it committed. On PostgreSQL, where transactions really run side by side.
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
    await t?.stop();
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
});
