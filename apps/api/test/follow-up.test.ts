import { sandbox } from '@qunfa/channels';
import { builtinMetrics, recipientRules, ruleClassifier } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { runPendingFollowUps } from '../src/services/triage/follow-ups.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const phone = (i: number) => `+86139${String(i).padStart(8, '0')}`;
const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const START = 'mutation($id: ID!) { startCampaign(id: $id) { state } }';
const SET = 'mutation($id: ID) { setFollowUpTemplate(campaignId: $id) { id } }';
const RECORD = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { message { id } } }`;
const ITEMS = `query { triageItems(first: 100) { edges { node { id label campaignId followUpCampaignId
  message { text } } } } }`;

interface Item {
  id: string;
  label: string;
  campaignId: string | null;
  followUpCampaignId: string | null;
  message: { text: string };
}

describe.each(drivers)('"interested" replies run the follow-up template on %s', (driver) => {
  let t: TestApp;
  let channel: ReturnType<typeof sandbox>;
  let tag: string;
  let campaignId: string;
  let templateId: string;

  const completed = (id: string) => waitForCompletion(t, id);
  const reply = (i: number, text: string, id: string) =>
    gqlOk(t.url, t.a.keys.operator, RECORD, {
      i: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone(i), text, providerMessageId: id },
    });
  const items = async () =>
    (
      await gqlOk<{ triageItems: { edges: { node: Item }[] } }>(t.url, t.a.keys.viewer, ITEMS)
    ).triageItems.edges.map((e) => e.node);
  const itemOf = async (text: string) => (await items()).find((i) => i.message.text === text)!;
  const runsOfTemplate = () =>
    rows<{ id: string; contacts: string[] | null }>(
      t.app.deps.db,
      sql`SELECT id::text, run_contact_ids AS contacts FROM campaigns WHERE run_of_id = ${Number(templateId)} ORDER BY id`,
    );
  const recipientsOf = async (id: string) =>
    (
      await rows<{ phone: string }>(
        t.app.deps.db,
        sql`SELECT i.value AS phone FROM deliveries d JOIN contact_identities i ON i.contact_id = d.contact_id AND i.kind = 'phone'
            WHERE d.campaign_id = ${Number(id)} ORDER BY i.value`,
      )
    ).map((r) => r.phone);

  beforeAll(async () => {
    channel = sandbox({ latencyMs: { min: 1, max: 2 }, seed: 5 });
    t = await startTestApp(driver, {}, (services) => [
      channel,
      ruleClassifier(),
      ...recipientRules({ facts: services.recipientFacts, quietHours: { enabled: false } }),
      ...builtinMetrics(),
    ]);
    tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'follow-up',
      count: 4,
      identity: (i) => ({ kind: 'PHONE', value: phone(i) }),
    });
    const base = {
      audience: { tag },
      channelPlan: [{ channel: 'channel:sandbox' }],
    };
    campaignId = (
      await gqlOk<{ createCampaign: { id: string } }>(t.url, t.a.keys.operator, CREATE, {
        input: { ...base, name: 'launch', variants: [{ key: 'A', content: { text: '新品上市' } }] },
      })
    ).createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, START, { id: campaignId });
    await completed(campaignId);
    templateId = (
      await gqlOk<{ createCampaign: { id: string } }>(t.url, t.a.keys.operator, CREATE, {
        input: {
          ...base,
          name: 'questionnaire',
          variants: [{ key: 'A', content: { text: '感谢关注，填写问卷领取优惠' } }],
          schedule: { kind: 'TRIGGERED' },
        },
      })
    ).createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, START, { id: templateId });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('is set by admins to a triggered template of the workspace only', async () => {
    expect(codesOf(await gql(t.url, t.a.keys.operator, SET, { id: templateId }))).toEqual(['FORBIDDEN']);
    const notTriggered = await gql(t.url, t.a.keys.admin, SET, { id: campaignId });
    expect(codesOf(notTriggered)).toEqual(['INVALID_INPUT']);
    expect(codesOf(await gql(t.url, t.b.keys.admin, SET, { id: templateId }))).toEqual([
      'CAMPAIGN_NOT_FOUND',
    ]);
    const read = 'query { followUpTemplate { id } }';
    expect((await gqlOk(t.url, t.a.keys.viewer, read)).followUpTemplate).toBeNull();
    await gqlOk(t.url, t.a.keys.admin, SET, { id: templateId });
    expect((await gqlOk(t.url, t.a.keys.viewer, read)).followUpTemplate).toEqual({ id: templateId });
  });

  it('sends the template to the interested contact alone, once per campaign and contact', async () => {
    await reply(0, '很感兴趣，想了解一下', 'i-0');
    await expect
      .poll(async () => (await itemOf('很感兴趣，想了解一下')).followUpCampaignId, { timeout: 30_000 })
      .not.toBeNull();
    const first = await itemOf('很感兴趣，想了解一下');
    expect(first).toMatchObject({ label: 'INTERESTED', campaignId });
    await completed(first.followUpCampaignId!);
    expect(await recipientsOf(first.followUpCampaignId!)).toEqual([phone(0)]);
    expect(
      channel.provider.accepted().filter((m) => JSON.stringify(m.content).includes('问卷')),
    ).toHaveLength(1);

    // Another contact: a run of its own; "not interested" none.
    await reply(1, '我对这个感兴趣', 'i-1');
    await reply(2, '不需要，谢谢', 'n-2');
    await expect
      .poll(async () => (await itemOf('我对这个感兴趣')).followUpCampaignId, { timeout: 30_000 })
      .not.toBeNull();
    const other = await itemOf('我对这个感兴趣');
    expect(other.followUpCampaignId).not.toBe(first.followUpCampaignId);
    await completed(other.followUpCampaignId!);
    expect(await recipientsOf(other.followUpCampaignId!)).toEqual([phone(1)]);
    expect((await itemOf('不需要，谢谢')).followUpCampaignId).toBeNull();
    expect(await runsOfTemplate()).toHaveLength(2);
    expect(
      channel.provider.accepted().filter((m) => JSON.stringify(m.content).includes('问卷')),
    ).toHaveLength(2);
  });

  it('does not follow up a reply to the follow-up itself, and a lost settle finds the same run', async () => {
    // Contact 0 was last reached by its follow-up run: interest there closes the loop.
    await reply(0, '感兴趣，想了解', 'i-0b');
    await expect
      .poll(
        async () => {
          const [row] = await rows<{ n: number }>(
            t.app.deps.db,
            sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'triage.follow_up_skipped'`,
          );
          return row!.n;
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    expect((await itemOf('感兴趣，想了解')).followUpCampaignId).toBeNull();

    // A crash between making the run and noting it on the item: the sweep gets the same run.
    const first = await itemOf('很感兴趣，想了解一下');
    await t.app.deps.db.execute(
      sql`UPDATE triage_items SET follow_up_campaign_id = NULL WHERE id = ${Number(first.id)}`,
    );
    const swept = await runPendingFollowUps({
      db: t.app.deps.db,
      clock: t.app.deps.clock,
      engine: t.app.deps.engine,
      logger: t.app.deps.logger,
    });
    expect(swept).toEqual({ started: 1, skipped: 0, failed: 0 });
    expect((await itemOf('很感兴趣，想了解一下')).followUpCampaignId).toBe(first.followUpCampaignId);
    expect(await runsOfTemplate()).toHaveLength(2);
    expect(
      channel.provider.accepted().filter((m) => JSON.stringify(m.content).includes('问卷')),
    ).toHaveLength(2);
  });

  it('drops the follow-up when the template is no longer started', async () => {
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { cancelCampaign(id: $id) { state } }', {
      id: templateId,
    });
    await reply(3, '想了解更多，感兴趣', 'i-3');
    await expect
      .poll(
        async () => {
          const [row] = await rows<{ n: number }>(
            t.app.deps.db,
            sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'triage.follow_up_skipped'`,
          );
          return row!.n;
        },
        { timeout: 30_000 },
      )
      .toBe(2);
    expect((await itemOf('想了解更多，感兴趣')).followUpCampaignId).toBeNull();
    expect(await runsOfTemplate()).toHaveLength(2);
  });
});
