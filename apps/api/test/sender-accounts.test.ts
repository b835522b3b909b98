import { sandbox } from '@qunfa/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const channel = sandbox({
  accounts: ['wx1', 'wx2'],
  latencyMs: { min: 1, max: 2 },
  maxRecipientsPerSend: 10,
  maxSendsPerDay: 100,
});
const CHANNELS =
  '{ channels { name limits { maxRecipientsPerSend } accounts { account state until reason } } }';
const SET = `mutation($account: String!, $state: AccountHealthState!, $until: DateTime, $reason: String) {
  setSenderAccountHealth(channel: "channel:sandbox", account: $account, state: $state, until: $until, reason: $reason) { account state } }`;

const QUOTAS = `{ channels { quotaToday { limit used left resetsAt }
  accounts { account quotaToday { limit used left resetsAt } } } }`;

interface Quotas {
  channels: {
    quotaToday: { limit: number; used: number; left: number; resetsAt: string };
    accounts: {
      account: string;
      quotaToday: { limit: number; used: number; left: number; resetsAt: string };
    }[];
  }[];
}

/** The next midnight in Beijing, where the engine counts daily quotas. */
function nextBeijingMidnight(now = new Date()): string {
  const beijing = new Date(now.getTime() + 8 * 3_600_000);
  return new Date(
    Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate() + 1) - 8 * 3_600_000,
  ).toISOString();
}

describe('sender accounts over GraphQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', {}, [channel]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists channels with their accounts, and only an admin changes an account’s health', async () => {
    const before = await gqlOk<{ channels: { accounts: { state: string }[] }[] }>(
      t.url,
      t.a.keys.viewer,
      CHANNELS,
    );
    expect(before.channels[0]!.accounts.map((a) => a.state)).toEqual(['HEALTHY', 'HEALTHY']);
    expect(
      codesOf(await gql(t.url, t.a.keys.operator, SET, { account: 'wx1', state: 'RESTRICTED' })),
    ).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.url, t.a.keys.admin, SET, { account: 'wx9', state: 'RESTRICTED' }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(codesOf(await gql(t.url, t.a.keys.admin, SET, { account: 'wx1', state: 'COOLING' }))).toEqual([
      'INVALID_INPUT',
    ]);
    await gqlOk(t.url, t.a.keys.admin, SET, { account: 'wx1', state: 'RESTRICTED', reason: '封号 banned' });
    const after = await gqlOk<{
      channels: { accounts: { account: string; state: string; reason: string | null }[] }[];
    }>(t.url, t.a.keys.viewer, CHANNELS);
    expect(after.channels[0]!.accounts).toEqual([
      { account: 'wx1', state: 'RESTRICTED', until: null, reason: '封号 banned' },
      { account: 'wx2', state: 'HEALTHY', until: null, reason: null },
    ]);
  });

  it('sends only through healthy accounts', async () => {
    const key = t.a.keys.admin;
    await gqlOk(t.url, key, SET, { account: 'wx1', state: 'RESTRICTED' });
    const input = Array.from({ length: 30 }, (_, i) => ({
      identities: [{ kind: 'PHONE', value: `+8613600${String(i).padStart(6, '0')}` }],
    }));
    await gqlOk(
      t.url,
      key,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input },
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      'mutation { createCampaign(input: { name: "a", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }',
    );
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(createCampaign.id))?.state, { timeout: 20_000 })
      .toBe('completed');
    expect(new Set(channel.provider.calls().map((c) => c.account))).toEqual(new Set(['wx2']));
    expect(channel.provider.accepted()).toHaveLength(30);
  });

  it("reports each account's daily quota used and left today, as the workers took it", async () => {
    // The previous case sent 30 through wx2 alone.
    const { channels } = await gqlOk<Quotas>(t.url, t.a.keys.viewer, QUOTAS);
    const resetsAt = nextBeijingMidnight();
    expect(channels[0]!.accounts).toEqual([
      { account: 'wx1', quotaToday: { limit: 100, used: 0, left: 100, resetsAt } },
      { account: 'wx2', quotaToday: { limit: 100, used: 30, left: 70, resetsAt } },
    ]);
    expect(channels[0]!.quotaToday).toEqual({ limit: 200, used: 30, left: 170, resetsAt });
    // Reading takes nothing: the same figures again.
    expect((await gqlOk<Quotas>(t.url, t.a.keys.viewer, QUOTAS)).channels[0]!.quotaToday.used).toBe(30);
  });
});
