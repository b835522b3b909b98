import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
import { collect, gqlOk, wsClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const AUDIENCE = 1000;

interface Progress {
  campaignProgress: {
    state: string;
    at: string;
    counters: {
      total: number;
      sent: number;
      failed: number;
      suppressed: number;
      settled: number;
      queued: number;
    };
  };
}

describe.each(drivers)('a campaign end to end over HTTP and WebSocket (%s)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends to 1,000 tagged contacts with live, monotonic progress', async () => {
    const key = t.a.keys.operator;
    const { createTag } = await gqlOk<{ createTag: { id: string } }>(
      t.url,
      key,
      'mutation($name: String!) { createTag(input: { name: $name }) { id } }',
      { name: 'vip' },
    );
    const inputs = Array.from({ length: AUDIENCE }, (_, i) => ({
      name: `客户${i}`,
      identities: [{ kind: 'PHONE', value: `+8613900${String(i).padStart(6, '0')}` }],
      lastActiveAt: new Date(Date.UTC(2026, 10, 1) - i * 3_600_000).toISOString(),
    }));
    const { createContacts } = await gqlOk<{ createContacts: { id: string }[] }>(
      t.url,
      key,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      { input: inputs },
    );
    expect(createContacts).toHaveLength(AUDIENCE);
    const { tagContacts } = await gqlOk<{ tagContacts: number }>(
      t.url,
      key,
      'mutation($tag: ID!, $ids: [ID!]!) { tagContacts(tagId: $tag, contactIds: $ids) }',
      { tag: createTag.id, ids: createContacts.map((c) => c.id) },
    );
    expect(tagContacts).toBe(AUDIENCE);

    const { createCampaign } = await gqlOk<{ createCampaign: { id: string; state: string } }>(
      t.url,
      key,
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id state } }`,
      {
        input: {
          name: 'e2e',
          audience: { tag: createTag.id },
          variants: [{ key: 'A', content: { text: '{{name}}，会员日快乐' } }],
          channelPlan: [{ channel: 'channel:sandbox' }],
          // The sandbox fails the same delivery the same way every time: retry fast, give up after two.
          retryPolicy: { networkRetryDelayMs: 100, maxAttempts: 2 },
        },
      },
    );
    expect(createCampaign.state).toBe('DRAFT');

    const client = wsClient(t.url, key);
    const sub = collect<Progress>(
      client,
      `subscription($id: ID!) { campaignProgress(id: $id) {
         state at counters { total sent failed suppressed settled queued } } }`,
      { id: createCampaign.id },
      (e) => e.campaignProgress.state === 'COMPLETED',
    );
    // The first event is the snapshot: wait for it so the start happens while subscribed.
    await expect.poll(() => sub.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(sub.events[0]!.campaignProgress.state).toBe('DRAFT');

    const started = Date.now();
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', {
      id: createCampaign.id,
    });
    await Promise.race([
      sub.done,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 90_000)),
    ]);
    client.dispose();
    expect(sub.errors).toEqual([]);

    const events = sub.events.map((e) => e.campaignProgress);
    const last = events.at(-1)!;
    expect(last.state).toBe('COMPLETED');
    expect(last.counters.total).toBe(AUDIENCE);
    expect(last.counters.sent + last.counters.failed).toBe(AUDIENCE);
    expect(last.counters.failed).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.counters.settled).toBeGreaterThanOrEqual(events[i - 1]!.counters.settled);
      expect(events[i]!.counters.sent).toBeGreaterThanOrEqual(events[i - 1]!.counters.sent);
      expect(events[i]!.counters.failed).toBeGreaterThanOrEqual(events[i - 1]!.counters.failed);
    }
    // Coalesced: far fewer events than the 10 batches × several changes, and at most ~5 a second.
    const seconds = Math.max(1, (Date.now() - started) / 1000);
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 4);

    const { campaign } = await gqlOk<{
      campaign: {
        state: string;
        counters: { sent: number; failed: number; total: number };
        metrics: { name: string; value: number | null; status: string }[];
      };
    }>(
      t.url,
      key,
      'query($id: ID!) { campaign(id: $id) { state counters { total sent failed } metrics { name value status } } }',
      { id: createCampaign.id },
    );
    expect(campaign.state).toBe('COMPLETED');
    expect(campaign.counters).toEqual({
      total: AUDIENCE,
      sent: last.counters.sent,
      failed: last.counters.failed,
    });
    const completion = campaign.metrics.find((m) => m.name === 'metric:completion');
    expect(completion?.value).toBe(100);
    const deliveryRate = campaign.metrics.find((m) => m.name === 'metric:delivery-rate');
    expect(deliveryRate?.value).toBeCloseTo((100 * last.counters.sent) / AUDIENCE, 5);
  });
});
