import { sandbox } from '@qunfa/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Provider A is down for everyone; provider B works. C limits every send (a business error).
const down = sandbox({
  name: 'channel:sms-a',
  identityKinds: ['phone'],
  latencyMs: { min: 1, max: 2 },
  failureRates: { network: 1 },
});
const up = sandbox({ name: 'channel:sms-b', identityKinds: ['phone'], latencyMs: { min: 1, max: 2 } });
const limited = sandbox({
  name: 'channel:sms-c',
  identityKinds: ['phone'],
  latencyMs: { min: 1, max: 2 },
  failureRates: { rate_limited: 1 },
});

const CREATE =
  'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id channelPlan { channel failover } } }';

describe('provider failover within a channel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', {}, [down, up, limited]);
    const input = Array.from({ length: 20 }, (_, i) => ({
      identities: [{ kind: 'PHONE', value: `+8613300${String(i).padStart(6, '0')}` }],
    }));
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  const campaign = (channelPlan: unknown) => ({
    name: 'f',
    audience: { all: true },
    variants: [{ key: 'A', content: { text: '验证码 1234' } }],
    channelPlan,
    retryPolicy: { maxAttempts: 1 },
  });

  it('moves recipients from a provider that is down to the next one at once', async () => {
    const key = t.a.keys.operator;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string; channelPlan: unknown } }>(
      t.url,
      key,
      CREATE,
      {
        input: campaign([{ channel: 'channel:sms-a', failover: ['channel:sms-b'] }]),
      },
    );
    expect(createCampaign.channelPlan).toEqual([{ channel: 'channel:sms-a', failover: ['channel:sms-b'] }]);
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(createCampaign.id))?.state, { timeout: 20_000 })
      .toBe('completed');
    const counters = await t.app.deps.store.counters(createCampaign.id);
    expect({ sent: counters.sent, failed: counters.failed }).toEqual({ sent: 20, failed: 0 });
    expect(up.provider.accepted()).toHaveLength(20);
    const { campaign: read } = await gqlOk<{
      campaign: {
        deliveries: {
          edges: { node: { channel: string; attempts: { channel: string; status: string }[] } }[];
        };
      };
    }>(
      t.url,
      key,
      'query($id: ID!) { campaign(id: $id) { deliveries(first: 1) { edges { node { channel attempts { channel status } } } } } }',
      { id: createCampaign.id },
    );
    expect(read.deliveries.edges[0]!.node).toEqual({
      channel: 'channel:sms-b',
      attempts: [
        { channel: 'channel:sms-a', status: 'failed' },
        { channel: 'channel:sms-b', status: 'sent' },
      ],
    });
  });

  it('never fails over on a business limit', async () => {
    const key = t.a.keys.operator;
    const before = up.provider.accepted().length;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      input: campaign([{ channel: 'channel:sms-c', failover: ['channel:sms-b'] }]),
    });
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    await expect
      .poll(async () => (await t.app.deps.store.counters(createCampaign.id)).failed, { timeout: 20_000 })
      .toBe(20);
    expect(up.provider.accepted().length).toBe(before);
    expect((await t.app.deps.store.counters(createCampaign.id)).failedByClass.rate_limited).toBe(20);
  });

  it('refuses an unknown failover provider, or one used twice in the plan', async () => {
    const key = t.a.keys.operator;
    const unknown = await gql(t.url, key, CREATE, {
      input: campaign([{ channel: 'channel:sms-a', failover: ['channel:nope'] }]),
    });
    expect(codesOf(unknown)).toEqual(['CHANNEL_NOT_FOUND']);
    expect(unknown.errors?.[0]?.extensions?.details?.field).toBe('channelPlan.0.failover.0');
    const twice = await gql(t.url, key, CREATE, {
      input: campaign([
        { channel: 'channel:sms-a', failover: ['channel:sms-b'] },
        { channel: 'channel:sms-b' },
      ]),
    });
    expect(codesOf(twice)).toEqual(['INVALID_INPUT']);
  });
});
