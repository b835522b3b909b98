import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Deliveries {
  campaign: {
    counters: { failed: number; sent: number; total: number };
    deliveries: {
      edges: {
        node: {
          contactId: string;
          state: string;
          lastError: string | null;
          attempts: { status: string; error: string | null }[];
        };
      }[];
      pageInfo: { hasNextPage: boolean };
    };
  };
}

const DELIVERIES = `query($id: ID!, $states: [DeliveryState!]) { campaign(id: $id) {
  counters { failed sent total }
  deliveries(states: $states, first: 500) { edges { node { contactId state lastError attempts { status error } } } pageInfo { hasNextPage } } } }`;

async function waitFor(t: TestApp, id: string, state: string) {
  for (let i = 0; i < 400; i++) {
    if ((await t.app.deps.store.getCampaign(id))?.state === state) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`campaign ${id} never reached ${state}`);
}

describe('resending to exactly the failed recipients', () => {
  let t: TestApp;
  let source: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    const key = t.a.keys.operator;
    const input = Array.from({ length: 400 }, (_, i) => ({
      identities: [{ kind: 'PHONE', value: `+8613500${String(i).padStart(6, '0')}` }],
    }));
    await gqlOk(
      t.url,
      key,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input },
    );
    source = (
      await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        key,
        `mutation { createCampaign(input: { name: "r", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }],
          channelPlan: [{ channel: "channel:sandbox" }], retryPolicy: { maxAttempts: 1 } }) { id } }`,
      )
    ).createCampaign.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses while the campaign has not ended, then resends each failed recipient once', async () => {
    const key = t.a.keys.operator;
    const resend = 'mutation($id: ID!) { resendCampaign(id: $id, states: [FAILED]) { id state } }';
    expect(codesOf(await gql(t.url, key, resend, { id: source }))).toEqual(['ILLEGAL_TRANSITION']);
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: source });
    await waitFor(t, source, 'completed');

    const failed = await gqlOk<Deliveries>(t.url, t.a.keys.viewer, DELIVERIES, {
      id: source,
      states: ['FAILED'],
    });
    const failedContacts = failed.campaign.deliveries.edges.map((e) => e.node.contactId).sort();
    expect(failedContacts.length).toBe(failed.campaign.counters.failed);
    expect(failedContacts.length).toBeGreaterThan(0);
    for (const { node } of failed.campaign.deliveries.edges) {
      expect(node.state).toBe('FAILED');
      expect(node.attempts).toHaveLength(1);
      expect(node.attempts[0]!.status).toBe('failed');
      expect(node.lastError).toBe(node.attempts[0]!.error);
    }

    const { resendCampaign } = await gqlOk<{ resendCampaign: { id: string } }>(t.url, key, resend, {
      id: source,
    });
    await waitFor(t, resendCampaign.id, 'completed');
    const rerun = await gqlOk<Deliveries>(t.url, t.a.keys.viewer, DELIVERIES, { id: resendCampaign.id });
    expect(rerun.campaign.counters.total).toBe(failedContacts.length);
    expect(rerun.campaign.deliveries.edges.map((e) => e.node.contactId).sort()).toEqual(failedContacts);
    const { campaign } = await gqlOk<{ campaign: { resendOf: { id: string } } }>(
      t.url,
      key,
      'query($id: ID!) { campaign(id: $id) { resendOf { id } } }',
      { id: resendCampaign.id },
    );
    expect(campaign.resendOf.id).toBe(source);

    // Every failed recipient of the source was resent: a second resend has nobody left.
    expect(codesOf(await gql(t.url, key, resend, { id: source }))).toEqual(['EMPTY_AUDIENCE']);
    expect(codesOf(await gql(t.url, t.a.keys.viewer, resend, { id: source }))).toEqual(['FORBIDDEN']);
    const dropped = await gqlOk<{ dropUncertain: number }>(
      t.url,
      key,
      'mutation($id: ID!) { dropUncertain(id: $id) }',
      {
        id: source,
      },
    );
    expect(dropped.dropUncertain).toBe(0);
  });
});
