import { sandbox } from '@qunfa/channels';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { collect, gqlOk, wsClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Progress {
  campaignProgress: { state: string; counters: { sent: number; failed: number; queued: number } };
}

const waitFor = async (what: string, ok: () => Promise<boolean> | boolean) => {
  for (let i = 0; !(await ok()); i++) {
    if (i > 400) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Receipts keep moving a campaign's counters after it completed (a late delivery report, a WeCom
 * task's results or cancel), and a late failure may run it again: `campaignProgress` carries them.
 * It ended with the first terminal state, so a page that watched a campaign complete — or opened a
 * completed one — showed its counters as they were then until a reload.
 */
describe.each(drivers)('campaignProgress after the campaign completed, on %s', (driver) => {
  let t: TestApp;
  const sms = sandbox({ name: 'channel:sms', identityKinds: ['phone'], latencyMs: { min: 1, max: 2 } });
  const mail = sandbox({ name: 'channel:mail', identityKinds: ['email'], latencyMs: { min: 1, max: 2 } });

  beforeAll(async () => {
    t = await startTestApp(driver, {}, [sms, mail]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('streams a late failure of a completed campaign, then its reopening and second completion', async () => {
    const key = t.a.keys.operator;
    await gqlOk(
      t.url,
      key,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [1, 2].map((i) => ({
          name: `c${i}`,
          identities: [
            { kind: 'PHONE', value: `+86139000000${i}0` },
            { kind: 'EMAIL', value: `late${i}@example.com` },
          ],
        })),
      },
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '晚到回执',
          audience: { all: true },
          variants: [{ key: 'A', content: { text: '会员日' } }],
          channelPlan: [{ channel: 'channel:sms' }, { channel: 'channel:mail' }],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    await waitFor(
      'the completion',
      async () => (await t.app.deps.store.getCampaign(id))?.state === 'completed',
    );

    const client = wsClient(t.url, key);
    const sub = collect<Progress>(
      client,
      'subscription($id: ID!) { campaignProgress(id: $id) { state counters { sent failed queued } } }',
      { id },
    );
    try {
      await waitFor('the snapshot', () => sub.events.length > 0);
      expect(sub.events[0]!.campaignProgress).toEqual({
        state: 'COMPLETED',
        counters: { sent: 2, failed: 0, queued: 0 },
      });
      const deliveries = await rows<{ id: string }>(
        t.app.deps.db,
        sql`SELECT id::text FROM deliveries WHERE campaign_id = ${Number(id)} ORDER BY id`,
      );
      const late = (deliveryId: string, failure: 'network' | 'invalid_recipient') =>
        t.app.deps.engine.applyReceipts([
          { deliveryId, state: 'failed', failure, at: new Date(), source: 'callback' },
        ]);

      // A failure the plan does not hand on: counted, and the campaign stays completed.
      await late(deliveries[1]!.id, 'network');
      await waitFor('the late failure in the stream', () =>
        sub.events.some((e) => e.campaignProgress.counters.failed === 1),
      );
      expect(sub.events.at(-1)!.campaignProgress).toEqual({
        state: 'COMPLETED',
        counters: { sent: 1, failed: 1, queued: 0 },
      });

      // One it hands on: completed → running → completed, in the same stream.
      const seen = sub.events.length;
      await late(deliveries[0]!.id, 'invalid_recipient');
      await waitFor('the fallback', () => mail.provider.accepted().length === 1);
      const states = () => sub.events.slice(seen).map((e) => e.campaignProgress.state);
      await waitFor('running, then the second completion in the stream', () => {
        const after = states();
        return after.includes('RUNNING') && after.lastIndexOf('COMPLETED') > after.indexOf('RUNNING');
      });
      // The e-mail reached the first contact; the second one's failure stays counted.
      expect(sub.events.at(-1)!.campaignProgress).toEqual({
        state: 'COMPLETED',
        counters: { sent: 1, failed: 1, queued: 0 },
      });
      expect(sub.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
