import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics, ruleClassifier } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { signWebhook } from '../src/services/webhooks/signature.js';
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

const phone = (i: number) => `+8613811${String(i).padStart(6, '0')}`;
const record = `mutation($input: RecordConversionInput!) { recordConversion(input: $input) {
  id event value currency contactId campaignId deliveryId attributedBy source duplicate } }`;

interface Conversion {
  id: string;
  campaignId: string | null;
  deliveryId: string | null;
  attributedBy: string;
  source: string;
  duplicate: boolean;
}

describe.each(drivers)('conversions, funnel and feedback metrics (%s)', (driver) => {
  let t: TestApp;
  let campaignId = '';
  const conversionRows = async () =>
    (
      await rows<{ n: number }>(
        t.app.deps.db,
        sql`SELECT count(*)::int AS n FROM conversions WHERE workspace_id = ${t.a.id}`,
      )
    )[0]!.n;

  beforeAll(async () => {
    t = await startTestApp(driver, {}, plugins());
    const admin = t.a.keys.admin;
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'buyers',
      count: 10,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    campaignId = await createAndStartCampaign(
      t,
      {
        name: 'sale',
        audience: { tag },
        variants: [{ key: 'A', content: { text: '{{name}}，新品上市，回复TD退订' } }],
        channelPlan: [{ channel: 'channel:sandbox' }],
        quietHours: { mode: 'OFF' },
      },
      admin,
    );
    await waitForCompletion(t, campaignId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('records a conversion once per key, attributed to the message that reached the contact', async () => {
    const input = { idempotencyKey: 'order-1', event: 'purchase', value: 199, currency: 'CNY' };
    const first = await gqlOk<{ recordConversion: Conversion }>(t.url, t.a.keys.operator, record, {
      input: { ...input, identity: { kind: 'PHONE', value: '138 1100 0000' } },
    });
    expect(first.recordConversion).toMatchObject({
      campaignId,
      attributedBy: 'contact',
      source: 'api',
      duplicate: false,
      deliveryId: expect.any(String),
    });
    const again = await gqlOk<{ recordConversion: Conversion }>(t.url, t.a.keys.operator, record, {
      input: { ...input, identity: { kind: 'PHONE', value: phone(0) } },
    });
    expect(again.recordConversion).toEqual({ ...first.recordConversion, duplicate: true });
    // Someone the campaign never reached still converts, for nobody's credit.
    const stranger = await gqlOk<{ recordConversion: Conversion }>(t.url, t.a.keys.operator, record, {
      input: {
        idempotencyKey: 'order-2',
        event: 'purchase',
        identity: { kind: 'PHONE', value: '+8613999999999' },
      },
    });
    expect(stranger.recordConversion).toMatchObject({
      campaignId: null,
      deliveryId: null,
      attributedBy: 'none',
    });
    const before = await conversionRows();
    const bad: [unknown, string, string][] = [
      [{ idempotencyKey: 'x1', event: 'purchase', value: 5 }, 'INVALID_INPUT', t.a.keys.operator],
      [{ idempotencyKey: 'x2', event: 'has spaces' }, 'INVALID_INPUT', t.a.keys.operator],
      [
        { idempotencyKey: 'x3', event: 'e', identity: { kind: 'PHONE', value: '12' } },
        'INVALID_INPUT',
        t.a.keys.operator,
      ],
      [{ idempotencyKey: 'x4', event: 'e', contactId: '999999' }, 'CONTACT_NOT_FOUND', t.a.keys.operator],
      [
        { idempotencyKey: 'x5', event: 'e', occurredAt: '2099-01-01T00:00:00Z' },
        'INVALID_INPUT',
        t.a.keys.operator,
      ],
      [{ idempotencyKey: 'x6', event: 'e' }, 'FORBIDDEN', t.a.keys.viewer],
    ];
    for (const [input, code, key] of bad)
      expect(codesOf(await gql(t.url, key, record, { input })), code).toEqual([code]);
    expect(await conversionRows()).toBe(before);
  });

  it('takes signed webhooks only: forged, stale and unsigned ones write nothing, a replay counts once', async () => {
    const url = `${t.url}/conversions/${t.a.id}`;
    const body = JSON.stringify({
      idempotencyKey: 'hook-1',
      event: 'form_submitted',
      identity: { kind: 'phone', value: phone(1) },
    });
    const post = (signature: string | undefined, payload = body) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'qunfa-signature': signature } : {}),
        },
        body: payload,
      });
    const before = await conversionRows();
    // No secret made yet: nothing can be signed.
    expect((await post(signWebhook('guess', body, new Date()))).status).toBe(401);
    expect(codesOf(await gql(t.url, t.a.keys.operator, 'mutation { rotateConversionSecret }'))).toEqual([
      'FORBIDDEN',
    ]);
    const { rotateConversionSecret: secret } = await gqlOk<{ rotateConversionSecret: string }>(
      t.url,
      t.a.keys.admin,
      'mutation { rotateConversionSecret }',
    );
    expect((await post(undefined)).status).toBe(401);
    expect((await post(signWebhook('wrong', body, new Date()))).status).toBe(401);
    expect((await post(signWebhook(secret, body, new Date(Date.now() - 10 * 60_000)))).status).toBe(401);
    expect((await post(signWebhook(secret, body, new Date()), body.replace('hook-1', 'hook-X'))).status).toBe(
      401,
    );
    // Another workspace's path with this workspace's signature.
    const other = await fetch(`${t.url}/conversions/${t.b.id}`, {
      method: 'POST',
      headers: { 'qunfa-signature': signWebhook(secret, body, new Date()) },
      body,
    });
    expect(other.status).toBe(401);
    expect(await conversionRows()).toBe(before);

    const signature = signWebhook(secret, body, new Date());
    const first = await post(signature);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      campaignId,
      attributedBy: 'contact',
      source: 'webhook',
      duplicate: false,
    });
    const replay = await post(signature);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    expect(await conversionRows()).toBe(before + 1);
    const invalid = JSON.stringify({ idempotencyKey: 'hook-2', event: 'bad event' });
    const refused = await post(signWebhook(secret, invalid, new Date()), invalid);
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([
      400,
      'INVALID_INPUT',
    ]);
  });

  it('counts the funnel per campaign, variant and channel, and feedback in the metrics at the workspace levels', async () => {
    // Two replies: a complaint and an unsubscribe.
    const inbound = `mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { __typename } }`;
    await gqlOk(t.url, t.a.keys.admin, inbound, {
      input: {
        channel: 'channel:sandbox',
        fromKind: 'PHONE',
        fromValue: phone(2),
        text: '你们一直发短信骚扰我，我要投诉',
      },
    });
    await gqlOk(t.url, t.a.keys.admin, inbound, {
      input: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone(3), text: 'TD' },
    });
    const { campaign } = await gqlOk<{
      campaign: {
        funnel: { variantKey: string | null; channel: string | null; sent: number; converted: number }[];
        metrics: { name: string; value: number | null; status: string }[];
      };
    }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { funnel { variantKey channel sent delivered opened clicked converted }
        metrics { name value status } } }`,
      { id: campaignId },
    );
    const stages = { sent: 10, delivered: 0, opened: 0, clicked: 0, converted: 2 };
    expect(campaign.funnel).toEqual([
      { variantKey: null, channel: null, ...stages },
      { variantKey: null, channel: 'channel:sandbox', ...stages },
      { variantKey: 'A', channel: null, ...stages },
      { variantKey: 'A', channel: 'channel:sandbox', ...stages },
    ]);
    const m = Object.fromEntries(campaign.metrics.map((x) => [x.name, x]));
    expect(m['metric:reply-rate']).toMatchObject({ value: 20, status: 'NONE' });
    expect(m['metric:complaint-rate']).toMatchObject({ value: 10, status: 'ALARM' });
    expect(m['metric:unsubscribe-rate']).toMatchObject({ value: 10, status: 'ALARM' });
    expect(m['metric:conversion-rate']).toMatchObject({ value: 20, status: 'GOOD' });

    const setLevels = `mutation($levels: [MetricLevelInput!]!) { setMetricLevels(levels: $levels) { metric good alarm } }`;
    const refused: [unknown[], string][] = [
      [[{ metric: 'metric:conversion-rate', good: 10, alarm: 30 }], 'INVALID_INPUT'],
      [[{ metric: 'metric:nope', good: 1, alarm: 0 }], 'PLUGIN_NOT_FOUND'],
    ];
    for (const [levels, code] of refused)
      expect(codesOf(await gql(t.url, t.a.keys.admin, setLevels, { levels }))).toEqual([code]);
    expect(
      codesOf(
        await gql(t.url, t.a.keys.operator, setLevels, {
          levels: [{ metric: 'metric:complaint-rate', good: 20, alarm: 30 }],
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    await gqlOk(t.url, t.a.keys.admin, setLevels, {
      levels: [
        { metric: 'metric:conversion-rate', good: 30, alarm: 25 },
        { metric: 'metric:complaint-rate', good: 20, alarm: 30 },
      ],
    });
    const after = await gqlOk<{ campaign: { metrics: { name: string; status: string }[] } }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { metrics { name status } } }',
      { id: campaignId },
    );
    const status = Object.fromEntries(after.campaign.metrics.map((x) => [x.name, x.status]));
    expect(status['metric:conversion-rate']).toBe('ALARM');
    expect(status['metric:complaint-rate']).toBe('GOOD');
    const levels = await gqlOk<{ viewer: { workspace: { metricLevels: unknown[] } } }>(
      t.url,
      t.b.keys.viewer,
      '{ viewer { workspace { metricLevels { metric } } } }',
    );
    expect(levels.viewer.workspace.metricLevels).toEqual([]);
  });
});
