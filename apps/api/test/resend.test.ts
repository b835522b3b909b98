import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
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
          failureClass: string | null;
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
  deliveries(states: $states, first: 500) { edges { node { contactId state failureClass lastError attempts { status error } } } pageInfo { hasNextPage } } } }`;

async function waitFor(t: TestApp, id: string, state: string) {
  for (let i = 0; i < 400; i++) {
    if ((await t.app.deps.store.getCampaign(id))?.state === state) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`campaign ${id} never reached ${state}`);
}

describe.each(drivers)('resending to exactly the failed recipients (%s)', (driver) => {
  let t: TestApp;
  let source: string;
  beforeAll(async () => {
    t = await startTestApp(driver);
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

    // By default only transient failures are resent: an invalid number or a block stays as it is.
    const transient = new Set(['RATE_LIMITED', 'NETWORK', 'ACCOUNT_RESTRICTED', 'UNKNOWN']);
    const byClass = (edges: Deliveries['campaign']['deliveries']['edges'], keep: (c: string) => boolean) =>
      edges
        .filter((e) => keep(e.node.failureClass ?? ''))
        .map((e) => e.node.contactId)
        .sort();
    const transientContacts = byClass(failed.campaign.deliveries.edges, (c) => transient.has(c));
    const permanentContacts = byClass(failed.campaign.deliveries.edges, (c) => !transient.has(c));
    expect(transientContacts.length).toBeGreaterThan(0);
    expect(permanentContacts.length).toBeGreaterThan(0);
    // A name is the caller's (a blank one refused, nothing created); without one the default stands.
    const named =
      'mutation($id: ID!, $name: String) { resendCampaign(id: $id, states: [FAILED], name: $name) { id name } }';
    expect(codesOf(await gql(t.url, key, named, { id: source, name: '  ' }))).toEqual(['INVALID_INPUT']);
    const { resendCampaign } = await gqlOk<{ resendCampaign: { id: string; name: string } }>(
      t.url,
      key,
      named,
      {
        id: source,
        name: 'Spring sale · resend',
      },
    );
    expect(resendCampaign.name).toBe('Spring sale · resend');
    await waitFor(t, resendCampaign.id, 'completed');
    const rerun = await gqlOk<Deliveries>(t.url, t.a.keys.viewer, DELIVERIES, { id: resendCampaign.id });
    expect(rerun.campaign.counters.total).toBe(transientContacts.length);
    expect(rerun.campaign.deliveries.edges.map((e) => e.node.contactId).sort()).toEqual(transientContacts);
    const { campaign } = await gqlOk<{ campaign: { resendOf: { id: string } } }>(
      t.url,
      key,
      'query($id: ID!) { campaign(id: $id) { resendOf { id } } }',
      { id: resendCampaign.id },
    );
    expect(campaign.resendOf.id).toBe(source);
    expect(codesOf(await gql(t.url, key, resend, { id: source }))).toEqual(['EMPTY_AUDIENCE']);

    // Asked for, the permanent ones are resent — and the sandbox, like a real provider, gives each
    // address the same verdict again: an invalid number is not "delivered" on the resend.
    const { resendCampaign: permanentRun } = await gqlOk<{ resendCampaign: { id: string } }>(
      t.url,
      key,
      'mutation($id: ID!) { resendCampaign(id: $id, states: [FAILED], failureClasses: [INVALID_RECIPIENT, BLOCKED_BY_USER, CONTENT_REJECTED]) { id } }',
      { id: source },
    );
    await waitFor(t, permanentRun.id, 'completed');
    const again = await gqlOk<Deliveries>(t.url, t.a.keys.viewer, DELIVERIES, { id: permanentRun.id });
    expect(again.campaign.deliveries.edges.map((e) => e.node.contactId).sort()).toEqual(permanentContacts);
    const verdict = new Map(
      failed.campaign.deliveries.edges.map((e) => [e.node.contactId, e.node.failureClass]),
    );
    for (const { node } of again.campaign.deliveries.edges) {
      expect(node.state, node.contactId).toBe('FAILED');
      expect(node.failureClass).toBe(verdict.get(node.contactId));
    }

    // Every failed recipient of the source was resent: a further resend has nobody left.
    expect(
      codesOf(
        await gql(
          t.url,
          key,
          'mutation($id: ID!) { resendCampaign(id: $id, states: [FAILED], failureClasses: [INVALID_RECIPIENT, NETWORK]) { id } }',
          { id: source },
        ),
      ),
    ).toEqual(['EMPTY_AUDIENCE']);
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
