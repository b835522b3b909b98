import { stateRelations, wecom } from '@qunfa/channels';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { scopePluginState } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { webhookEndpoints } from '../src/db/schema/index.js';
import { drivers } from './support/databases.js';
import { collect, gqlOk, wsClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-tests';
const CONTACT_SECRET = 'wecom-contact-secret-for-tests';

interface Progress {
  campaignProgress: {
    state: string;
    counters: { awaitingConfirmation: number; delivered: number; failed: number };
    waiting: { reason: string; count: number | null }[];
  };
}

/**
 * A one-step WeCom customer campaign (no escalation, no deadline): its batches are done once the
 * tasks exist, but nothing is sent before the staff confirm — it must not read COMPLETED (nor tell
 * partners so) until every customer's result is in.
 */
describe.each(drivers)('a WeCom campaign completes when the results are in, on %s', (driver) => {
  let t: TestApp;
  let fake: FakeWecom;
  const waitFor = async (what: string, done: () => Promise<boolean> | boolean) => {
    for (let i = 0; !(await done()); i++) {
      if (i > 600) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
    });
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      baseUrl: fake.url,
      taskPollMs: 50,
    });
    t = await startTestApp(driver, { receiptPollIntervalMs: 100 }, [channel, ...builtinMetrics()]);
    await t.app.deps.db.insert(webhookEndpoints).values({
      workspaceId: t.a.id,
      url: 'https://partner.invalid/hook',
      eventTypes: ['campaign.state_changed', 'campaign.progress_milestone'],
      secret: 'whsec_test_wecom_completion',
    });
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('stays RUNNING, waiting for confirmation, until the last task has its results; partners hear 100 % and completed then', async () => {
    const relations = stateRelations(scopePluginState(t.app.deps.pluginState, 'channel:wecom'));
    const customer = (i: number) => `wmDone${i}`;
    for (const [i, userid] of [
      [0, 'zhangsan'],
      [1, 'zhangsan'],
      [2, 'lisi'],
    ] as const) {
      fake.corp.customers.addCustomer(customer(i), userid, new Date('2024-01-01T00:00:00Z'));
      await relations.upsert(customer(i), { userid, addedAt: Date.parse('2024-01-01T00:00:00Z') / 1000 });
    }
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [0, 1, 2].map((i) => ({
          name: `c${i}`,
          identities: [{ kind: 'WECOM_EXTERNAL_USERID', value: customer(i) }],
        })),
      },
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '确认后完成',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日，全场八折' } }],
          channelPlan: [{ channel: 'channel:wecom', trackLinks: false }],
        },
      },
    );
    const id = createCampaign.id;
    const client = wsClient(t.url, t.a.keys.operator);
    const sub = collect<Progress>(
      client,
      `subscription($id: ID!) { campaignProgress(id: $id) { state
        counters { awaitingConfirmation delivered failed } waiting { reason count } } }`,
      { id },
    );
    try {
      await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
      await waitFor('two tasks', () => fake.corp.customers.tasks.size === 2);
      await waitFor(
        'every delivery handed over',
        async () => (await t.app.deps.store.counters(id)).awaitingConfirmation === 3,
      );
      // Every batch is done, and a few polls of the tasks went by: still running, and it says why.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await gqlOk<{ campaign: { state: string; waiting: { reason: string; count: number }[] } }>(
        t.url,
        t.a.keys.viewer,
        'query($id: ID!) { campaign(id: $id) { state waiting { reason count } } }',
        { id },
      );
      expect(now.campaign).toEqual({
        state: 'RUNNING',
        waiting: [{ reason: 'AWAITING_CONFIRMATION', count: 3 }],
      });

      const [zhang] = fake.corp.customers.tasksOf('zhangsan');
      const [li] = fake.corp.customers.tasksOf('lisi');
      fake.corp.customers.confirm(zhang!.msgid);
      await waitFor('zhangsan’s results', async () => (await t.app.deps.store.counters(id)).delivered === 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await t.app.deps.store.getCampaign(id))?.state).toBe('running');

      // lisi's customer gets the message too: the last result completes the campaign, from the poll.
      fake.corp.customers.confirm(li!.msgid);
      await waitFor(
        'the completion',
        async () => (await t.app.deps.store.getCampaign(id))?.state === 'completed',
      );
      await waitFor('COMPLETED in the stream', () =>
        sub.events.some((e) => e.campaignProgress.state === 'COMPLETED'),
      );
      const states = sub.events.map((e) => e.campaignProgress);
      const firstDone = states.findIndex((p) => p.state === 'COMPLETED');
      // Every event before it said RUNNING (or the draft's first snapshot), with the customers awaiting.
      expect(states.slice(0, firstDone).every((p) => p.state !== 'COMPLETED')).toBe(true);
      expect(states.some((p) => p.state === 'RUNNING' && p.counters.awaitingConfirmation === 3)).toBe(true);
      expect(states[firstDone]).toEqual({
        state: 'COMPLETED',
        counters: { awaitingConfirmation: 0, delivered: 3, failed: 0 },
        waiting: [],
      });
      expect(sub.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
    // By sender: the staff member each customer went out through (the batches carry no account).
    const { campaign } = await gqlOk<{
      campaign: { bySender: { channel: string; account: string | null; counters: { delivered: number } }[] };
    }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { bySender { channel account counters { delivered } } } }',
      { id },
    );
    expect(campaign.bySender).toEqual([
      { channel: 'channel:wecom', account: 'lisi', counters: { delivered: 1 } },
      { channel: 'channel:wecom', account: 'zhangsan', counters: { delivered: 2 } },
    ]);
    // The milestone watcher runs after settlements; let it catch up before reading the outbox.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = await rows<{ type: string; data: Record<string, unknown> }>(
      t.app.deps.db,
      sql`SELECT event_type AS type, payload->'data' AS data FROM webhook_deliveries
          WHERE payload->'data'->>'campaignId' = ${id} ORDER BY id`,
    );
    // 100 % only with every result in: the settled count excludes customers still awaiting confirmation.
    const full = events.find((e) => e.type === 'campaign.progress_milestone' && e.data.milestone === 100);
    expect(full?.data).toMatchObject({ settled: 3, total: 3, counters: { delivered: 3 } });
    expect(
      events.filter((e) => e.type === 'campaign.state_changed').map((e) => [e.data.from, e.data.to]),
    ).toEqual([
      ['draft', 'running'],
      ['running', 'completed'],
    ]);
  }, 120_000);
});
