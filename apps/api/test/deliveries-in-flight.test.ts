import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const LIST = `query($id: ID!, $states: [DeliveryState!]) { campaign(id: $id) { counters { submitted }
  deliveries(states: $states, first: 100) { edges { node { state } } } } }`;

interface Listing {
  campaign: { counters: { submitted: number }; deliveries: { edges: { node: { state: string } }[] } };
}

describe('deliveries of a batch in flight', () => {
  let t: TestApp;
  beforeAll(async () => {
    const slow = sandbox({ name: 'channel:slow', latencyMs: { min: 2500, max: 2600 }, seed: 1 });
    t = await startTestApp('postgres', {}, [slow, ...builtinMetrics()]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('are listed as submitted, as the counters count them, while the provider has them', async () => {
    const key = t.a.keys.operator;
    const tag = await seedTaggedContacts(t.url, key, {
      tagName: 'slow',
      count: 20,
      identity: (i) => ({ kind: 'PHONE', value: `1380013${String(i).padStart(4, '0')}` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      `mutation($tag: ID!) { createCampaign(input: { name: "slow", audience: { tag: $tag },
        variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:slow" }] }) { id } }`,
      { tag },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const list = async (states: string[]) =>
      (await gqlOk<Listing>(t.url, key, LIST, { id, states })).campaign;
    let inFlight = await list(['SUBMITTED']);
    for (let i = 0; i < 40 && inFlight.counters.submitted < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      inFlight = await list(['SUBMITTED']);
    }
    expect(inFlight.counters.submitted).toBe(20);
    expect(inFlight.deliveries.edges.map((e) => e.node.state)).toEqual(Array(20).fill('SUBMITTED'));
    expect((await list(['QUEUED'])).deliveries.edges).toEqual([]);
    for (let i = 0; i < 100 && (await t.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await list(['SUBMITTED']);
    expect([after.counters.submitted, after.deliveries.edges.length]).toEqual([0, 0]);
  });
});
