import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { webhookEndpoints } from '../src/db/schema/index.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const waitFor = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; !(await ok()); i++) {
    if (i > 600) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * A campaign a late failure receipt reopens: partners hear of each completion episode once —
 * completed, running again (reason late_failures), completed — never "completed" twice in a row.
 */
describe.each(drivers)('a campaign reopened for a late failure, on %s', (driver) => {
  let t: TestApp;
  const sms = sandbox({ name: 'channel:sms', identityKinds: ['phone'], latencyMs: { min: 1, max: 2 } });
  const mail = sandbox({ name: 'channel:mail', identityKinds: ['email'], latencyMs: { min: 1, max: 2 } });

  beforeAll(async () => {
    t = await startTestApp(driver, {}, [sms, mail, ...builtinMetrics()]);
    // An outbox row per event is what is checked; the endpoint itself is never reached.
    await t.app.deps.db.insert(webhookEndpoints).values({
      workspaceId: t.a.id,
      url: 'https://partner.invalid/hook',
      eventTypes: ['campaign.state_changed', 'campaign.progress_milestone'],
      secret: 'whsec_test_late_failure_reopen',
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('tells completed, running (late_failures), completed — each completion once — and milestones once', async () => {
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [1, 2].map((i) => ({
          name: `c${i}`,
          identities: [
            { kind: 'PHONE', value: `+86138000000${i}0` },
            { kind: 'EMAIL', value: `c${i}@example.com` },
          ],
        })),
      },
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '晚到失败',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日' } }],
          channelPlan: [{ channel: 'channel:sms' }, { channel: 'channel:mail' }],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const state = async () => (await t.app.deps.store.getCampaign(id))?.state;
    await waitFor('the first completion', async () => (await state()) === 'completed');

    const [first] = await rows<{ id: string }>(
      t.app.deps.db,
      sql`SELECT id::text FROM deliveries WHERE campaign_id = ${Number(id)} ORDER BY id LIMIT 1`,
    );
    await t.app.deps.engine.applyReceipts([
      {
        deliveryId: first!.id,
        state: 'failed',
        failure: 'invalid_recipient',
        error: 'carrier: number out of service',
        at: new Date(),
        source: 'callback',
      },
    ]);
    await waitFor(
      'the e-mail fallback and the second completion',
      async () => mail.provider.accepted().length === 1 && (await state()) === 'completed',
    );
    // The milestone watcher runs after settlements; let it catch up before reading the outbox.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const events = await rows<{ type: string; data: Record<string, unknown> }>(
      t.app.deps.db,
      sql`SELECT event_type AS type, payload->'data' AS data FROM webhook_deliveries
          WHERE payload->'data'->>'campaignId' = ${id} ORDER BY id`,
    );
    const changes = events
      .filter((e) => e.type === 'campaign.state_changed')
      .map((e) => [e.data.from, e.data.to, e.data.reason]);
    expect(changes.slice(-3)).toEqual([
      ['running', 'completed', null],
      ['completed', 'running', 'late_failures'],
      ['running', 'completed', null],
    ]);
    expect(changes.filter(([, to]) => to === 'completed')).toHaveLength(2);
    const milestones = events
      .filter((e) => e.type === 'campaign.progress_milestone')
      .map((e) => e.data.milestone);
    expect(milestones).toEqual([25, 50, 75, 100].filter((m) => milestones.includes(m)));
    expect(milestones.filter((m) => m === 100)).toHaveLength(1);
  });
});
