import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';

describe('pacing over a send window; pause, resume and cancel between batches', () => {
  let t: TestApp;
  const input = (overrides: Record<string, unknown>) => ({
    name: 'p',
    audience: { all: true },
    variants: [{ key: 'A', content: { text: 'hi' } }],
    channelPlan: [{ channel: 'channel:sandbox', batchSize: 10 }],
    retryPolicy: { maxAttempts: 1 },
    ...overrides,
  });
  // Deliveries that went out (sent or failed): a cancel ends the unsent ones as suppressed, which is not sending.
  const settled = async (id: string) => {
    const c = await t.app.deps.store.counters(id);
    return c.total - c.queued - c.suppressed;
  };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const contacts = Array.from({ length: 40 }, (_, i) => ({
      identities: [{ kind: 'PHONE', value: `+8613400${String(i).padStart(6, '0')}` }],
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

  it('refuses both an interval and a window, and spreads batches evenly over the window', async () => {
    const key = t.a.keys.operator;
    const both = await gql(t.url, key, CREATE, {
      input: input({ batchIntervalMs: 100, sendWindowMs: 3000 }),
    });
    expect(codesOf(both)).toEqual(['INVALID_INPUT']);
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      input: input({ sendWindowMs: 3000 }),
    });
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    const due = await rows<{ offset_ms: number }>(
      t.app.deps.db,
      sql`SELECT (extract(epoch FROM due_at - min(due_at) OVER ()) * 1000)::int AS offset_ms
          FROM batches WHERE campaign_id = ${Number(createCampaign.id)}::bigint ORDER BY seq`,
    );
    expect(due.map((d) => d.offset_ms)).toEqual([0, 1000, 2000, 3000]);
  });

  it('takes pause, resume and cancel into account before the next batch', async () => {
    const key = t.a.keys.operator;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(t.url, key, CREATE, {
      // Batches 6 s apart: pause and cancel land between batches even on a loaded machine.
      input: input({ batchIntervalMs: 6000 }),
    });
    const id = createCampaign.id;
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    await expect.poll(() => settled(id), { timeout: 5000 }).toBe(10);
    await gqlOk(t.url, key, 'mutation($id: ID!) { pauseCampaign(id: $id) { id } }', { id });
    // The second batch falls due during the pause and must not go out.
    await new Promise((r) => setTimeout(r, 7000));
    expect(await settled(id)).toBe(10);
    await gqlOk(t.url, key, 'mutation($id: ID!) { resumeCampaign(id: $id) { id } }', { id });
    await expect.poll(() => settled(id), { timeout: 5000 }).toBe(20);
    await gqlOk(t.url, key, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id });
    const atCancel = await settled(id);
    // Past the third batch's due time (12 s): nothing more went out.
    await new Promise((r) => setTimeout(r, 6000));
    expect(await settled(id)).toBe(atCancel);
    expect(atCancel).toBe(20);
    expect((await t.app.deps.store.getCampaign(id))?.state).toBe('cancelled');
  });
});
