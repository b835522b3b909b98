import { sandbox, wechatOa } from '@qunfa/channels';
import { type FakeWechat, startFakeWechat } from '@qunfa/channels/wechat-oa/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = 'oa-secret-for-tests';
const PUSH_TOKEN = 'pushToken123';

const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const UPDATE =
  'mutation($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }';
const START = 'mutation($id: ID!) { startCampaign(id: $id) { state } }';

/**
 * WeChat reports an Official Account's mass send per job, never per follower: a window waiting
 * for a follower's delivery would send the next step (SMS) to every follower. Refused at save and
 * at start; template messages, reported per openid, may escalate unless delivered.
 */
describe.each(drivers)('escalation windows wait only for receipts the channel reports, on %s', (driver) => {
  let t: TestApp;
  let fake: FakeWechat;
  let tag: string;

  beforeAll(async () => {
    fake = await startFakeWechat({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      callback: { token: PUSH_TOKEN },
    });
    const oa = wechatOa({
      appId: APP_ID,
      appSecret: APP_SECRET,
      accountType: 'service',
      baseUrl: fake.url,
      callback: { token: PUSH_TOKEN },
    });
    const sms = sandbox({
      name: 'channel:sms',
      identityKinds: ['phone', 'oa_openid'],
      latencyMs: { min: 1, max: 2 },
    });
    t = await startTestApp(driver, {}, [oa, sms, ...builtinMetrics()]);
    tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '粉丝',
      count: 2,
      identity: (i) => ({ kind: 'OA_OPENID', value: `oFollower${String(i).padStart(20, '0')}` }),
    });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  const plan = (unless: 'DELIVERED' | 'READ') => [
    { channel: 'channel:wechat-oa', trackLinks: false, escalateAfterMs: 3_600_000, escalateUnless: unless },
    { channel: 'channel:sms' },
  ];
  const template = { type: 'template', subject: 'TPL_member_day', text: 'first: 会员日\nremark: 八折' };
  const input = (unless: 'DELIVERED' | 'READ', oaContent?: Record<string, unknown>) => ({
    name: '会员日',
    audience: { tag },
    variants: [
      {
        key: 'A',
        content: { text: '会员日，全场八折' },
        ...(oaContent ? { channelContent: [{ channel: 'channel:wechat-oa', content: oaContent }] } : {}),
      },
    ],
    channelPlan: plan(unless),
  });

  it('refuses a mass-send step that escalates unless delivered, naming step, channel and content type; nothing saved', async () => {
    const before = await rowCounts(t.app.deps.db);
    const res = await gql(t.url, t.a.keys.operator, CREATE, { input: input('DELIVERED') });
    expect(codesOf(res)).toEqual(['ESCALATION_RECEIPT_UNREPORTED']);
    expect(res.errors![0]!.extensions!.details).toEqual({
      field: 'channelPlan.0.escalateUnless',
      step: 0,
      channel: 'channel:wechat-oa',
      contentType: 'text',
      unless: 'delivered',
    });
    expect(res.errors![0]!.message).toContain('channel:wechat-oa never reports text messages as delivered');
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  });

  it('allows template messages to escalate unless delivered, but not unless read (WeChat reports no reads)', async () => {
    const refused = await gql(t.url, t.a.keys.operator, CREATE, { input: input('READ', template) });
    expect(codesOf(refused)).toEqual(['ESCALATION_RECEIPT_UNREPORTED']);
    expect(refused.errors![0]!.extensions!.details).toMatchObject({
      contentType: 'template',
      unless: 'read',
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      { input: input('DELIVERED', template) },
    );
    expect(createCampaign.id).toBeTruthy();
  });

  it('refuses an edit that turns the step into a mass send, and leaves the campaign as it was', async () => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      { input: input('DELIVERED', template) },
    );
    const id = createCampaign.id;
    const res = await gql(t.url, t.a.keys.operator, UPDATE, {
      id,
      input: { variants: [{ key: 'A', content: { text: '改成群发' } }] },
    });
    expect(codesOf(res)).toEqual(['ESCALATION_RECEIPT_UNREPORTED']);
    const stored = await t.app.deps.store.getCampaign(id);
    expect(stored!.variants.map((v) => v.channelContent?.['channel:wechat-oa']?.type)).toEqual(['template']);
    // Without the window the same edit is fine.
    await gqlOk(t.url, t.a.keys.operator, UPDATE, {
      id,
      input: {
        variants: [{ key: 'A', content: { text: '改成群发' } }],
        channelPlan: [{ channel: 'channel:wechat-oa', trackLinks: false }, { channel: 'channel:sms' }],
      },
    });
  });

  it('refuses at start a plan stored before the check, and the campaign stays a draft', async () => {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CREATE,
      { input: input('DELIVERED', template) },
    );
    const id = createCampaign.id;
    // As saved by an earlier version: the mass-send content under the same window.
    await rows(
      t.app.deps.db,
      sql`UPDATE variants SET channel_content = '{}'::jsonb WHERE campaign_id = ${Number(id)}::bigint RETURNING id`,
    );
    const res = await gql(t.url, t.a.keys.operator, START, { id });
    expect(codesOf(res)).toEqual(['ESCALATION_RECEIPT_UNREPORTED']);
    expect((await t.app.deps.store.getCampaign(id))!.state).toBe('draft');
  });
});
