import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const input = (schedule: unknown) => ({
  name: 'template',
  audience: { all: true },
  variants: [{ key: 'A', content: { text: '订单已发货 {{name}}' } }],
  channelPlan: [{ channel: 'channel:sandbox' }],
  schedule,
});

describe('recurring and triggered templates over GraphQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    const contacts = Array.from({ length: 5 }, (_, i) => ({
      identities: [{ kind: 'EMAIL', value: `t${i}@example.com` }],
    }));
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: contacts,
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a bad cron or time zone, naming the field', async () => {
    const key = t.a.keys.operator;
    const badCron = await gql(t.url, key, CREATE, {
      input: input({ kind: 'RECURRING', cron: '0 25 * * *' }),
    });
    expect(codesOf(badCron)).toEqual(['INVALID_INPUT']);
    expect(badCron.errors?.[0]?.extensions?.details?.field).toBe('schedule.cron');
    const badZone = await gql(t.url, key, CREATE, {
      input: input({ kind: 'RECURRING', cron: '0 9 * * *', timeZone: 'Mars/Base' }),
    });
    expect(badZone.errors?.[0]?.extensions?.details?.field).toBe('schedule.timeZone');
  });

  it('schedules a recurring template for its next cron time in Shanghai', async () => {
    const key = t.a.keys.operator;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      input: input({ kind: 'RECURRING', cron: '0 10 * * *' }),
    });
    const { startCampaign } = await gqlOk<{
      startCampaign: { state: string; nextRunAt: string; schedule: { cron: string; timeZone: string } };
    }>(
      t.url,
      key,
      'mutation($id: ID!) { startCampaign(id: $id) { state nextRunAt schedule { cron timeZone } } }',
      {
        id: createCampaign.id,
      },
    );
    expect(startCampaign.state).toBe('SCHEDULED');
    expect(startCampaign.schedule).toEqual({ cron: '0 10 * * *', timeZone: 'Asia/Shanghai' });
    const next = new Date(startCampaign.nextRunAt);
    expect(next.getUTCHours()).toBe(2);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(next.getTime()).toBeGreaterThan(Date.now());
  });

  it('starts one run per idempotency key when triggered, each with its own counters', async () => {
    const key = t.a.keys.operator;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      input: input({ kind: 'TRIGGERED' }),
    });
    const id = createCampaign.id;
    const TRIGGER =
      'mutation($id: ID!, $k: String!) { triggerCampaign(id: $id, idempotencyKey: $k) { id runOf { key template { id } } } }';
    expect(codesOf(await gql(t.url, key, TRIGGER, { id, k: 'order-1' }))).toEqual(['ILLEGAL_TRANSITION']);
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    type Run = { triggerCampaign: { id: string; runOf: { key: string; template: { id: string } } } };
    const [a, b] = await Promise.all([
      gqlOk<Run>(t.url, key, TRIGGER, { id, k: 'order-1' }),
      gqlOk<Run>(t.url, key, TRIGGER, { id, k: 'order-1' }),
    ]);
    expect(a.triggerCampaign.id).toBe(b.triggerCampaign.id);
    expect(a.triggerCampaign.runOf).toEqual({ key: 'trigger:order-1', template: { id } });
    const c = await gqlOk<Run>(t.url, key, TRIGGER, { id, k: 'order-2' });
    expect(c.triggerCampaign.id).not.toBe(a.triggerCampaign.id);
    expect(codesOf(await gql(t.url, t.a.keys.viewer, TRIGGER, { id, k: 'order-3' }))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.url, t.b.keys.admin, TRIGGER, { id, k: 'order-3' }))).toEqual([
      'CAMPAIGN_NOT_FOUND',
    ]);

    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(c.triggerCampaign.id))?.state, {
        timeout: 20_000,
      })
      .toBe('completed');
    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(a.triggerCampaign.id))?.state, {
        timeout: 20_000,
      })
      .toBe('completed');
    const { campaign } = await gqlOk<{
      campaign: {
        state: string;
        counters: { total: number };
        runs: { id: string; counters: { total: number } }[];
      };
    }>(
      t.url,
      key,
      'query($id: ID!) { campaign(id: $id) { state counters { total } runs { id counters { total } } } }',
      { id },
    );
    expect(campaign.state).toBe('SCHEDULED');
    expect(campaign.counters.total).toBe(0);
    expect(campaign.runs.map((r) => r.id).sort()).toEqual(
      [a.triggerCampaign.id, c.triggerCampaign.id].sort(),
    );
    expect(campaign.runs.map((r) => r.counters.total)).toEqual([5, 5]);
  });
});
