import { emailSmtp, sandbox } from '@qunfa/channels';
import { type FakeSmtp, startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { OPEN_PIXEL_PATH, openPixelKey } from '../src/http/open-pixel.js';
import { linkSecret } from '../src/links/link-secret.js';
import { createLinkTokens } from '../src/links/link-token.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Scale-out: an API with WORKER=off takes the open of a mail whose send is not settled yet (here:
 * not even sent, no worker runs), keeps it, and applies it once a worker process settled the send —
 * without a worker loop of its own, which is what used to retry such receipts.
 */
describe('an API without a worker applies an open that beat the settlement, on postgres', () => {
  let database: TestDatabase;
  let api: TestApp;
  let worker: TestApp | undefined;
  let smtp: FakeSmtp;
  const channels: ReturnType<typeof emailSmtp>[] = [];
  const plugins = () => {
    const channel = emailSmtp({ host: smtp.host, port: smtp.port, from: 'news@qunfa.test' });
    channels.push(channel);
    return [channel, ...builtinMetrics()];
  };

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    database = await createTestDatabase('postgres');
    api = await startTestApp(
      'postgres',
      { worker: 'off', receiptPollIntervalMs: 200 },
      plugins(),
      {},
      database.url,
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    for (const c of channels) c.close();
    await smtp?.close();
    await database?.drop();
  });

  it('keeps the open, and marks the delivery read once a worker settled its send', async () => {
    await gqlOk(
      api.url,
      api.a.keys.admin,
      'mutation { updateWorkspace(input: { openPixel: true }) { openPixel } }',
    );
    const tag = await seedTaggedContacts(api.url, api.a.keys.operator, {
      tagName: '早到',
      count: 1,
      identity: () => ({ kind: 'EMAIL', value: 'early@example.com' }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      api.url,
      api.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '早到的打开',
          audience: { tag },
          variants: [{ key: 'A', content: { type: 'email', subject: '会员日', text: '<p>会员日</p>' } }],
          channelPlan: [{ channel: 'channel:email-smtp' }],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(api.url, api.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const delivery = async () =>
      (
        await rows<{ id: string; state: string }>(
          api.app.deps.db,
          sql`SELECT id::text, state FROM deliveries WHERE campaign_id = ${Number(id)}`,
        )
      )[0]!;
    const queued = await delivery();
    expect(queued.state).toBe('queued');

    // The URL the mail will carry, signed as the app signs it.
    const tokens = createLinkTokens(openPixelKey(await linkSecret(api.app.deps.db, undefined)));
    const res = await fetch(
      `${api.url}${OPEN_PIXEL_PATH}${tokens.sign({ deliveryId: queued.id, link: 0 })}.gif`,
    );
    expect(res.headers.get('content-type')).toBe('image/gif');
    await res.arrayBuffer();
    expect((await delivery()).state).toBe('queued');

    worker = await startTestApp('postgres', {}, plugins(), {}, database.url);
    for (let i = 0; (await delivery()).state !== 'read'; i++) {
      if (i > 400) throw new Error(`the open was never applied: ${(await delivery()).state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(smtp.messages).toHaveLength(1);
    const events = await rows<{ payload: Record<string, unknown> }>(
      api.app.deps.db,
      sql`SELECT payload FROM events WHERE delivery_id = ${Number(queued.id)} AND type = 'delivery.read'`,
    );
    expect(events.map((e) => e.payload)).toEqual([{ source: 'pixel' }]);
  });
});

/**
 * The API that took the open dies before any worker settles the send: what it kept is in the
 * database, not in its memory, so the worker's settlement applies it and the escalation window
 * (unless read) leaves the opener on e-mail.
 */
describe('an open taken by an API that then dies is not lost, on postgres', () => {
  let database: TestDatabase;
  let worker: TestApp | undefined;
  let smtp: FakeSmtp;
  const channels: ReturnType<typeof emailSmtp>[] = [];
  const plugins = () => {
    const channel = emailSmtp({ host: smtp.host, port: smtp.port, from: 'news@qunfa.test' });
    channels.push(channel);
    return [channel, sandbox({ latencyMs: { min: 1, max: 2 } }), ...builtinMetrics()];
  };

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await worker?.stop();
    for (const c of channels) c.close();
    await smtp?.close();
    await database?.drop();
  });

  it('the worker applies the dead API’s open: read on e-mail, nothing on the next step', async () => {
    const api = await startTestApp(
      'postgres',
      { worker: 'off', receiptPollIntervalMs: 600_000 },
      plugins(),
      {},
      database.url,
    );
    await gqlOk(
      api.url,
      api.a.keys.admin,
      'mutation { updateWorkspace(input: { openPixel: true }) { openPixel } }',
    );
    const tag = await seedTaggedContacts(api.url, api.a.keys.operator, {
      tagName: '早到',
      count: 2,
      identity: (i) => ({ kind: 'EMAIL', value: `early${i}@example.com` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      api.url,
      api.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '打开后宕机',
          audience: { tag },
          variants: [{ key: 'A', content: { type: 'email', subject: '会员日', text: '<p>会员日</p>' } }],
          channelPlan: [
            { channel: 'channel:email-smtp', escalateAfterMs: 1500, escalateUnless: 'READ' },
            { channel: 'channel:sandbox' },
          ],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(api.url, api.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const found = () =>
      rows<{ id: string; channel: string; state: string }>(
        api.app.deps.db,
        sql`SELECT id::text, channel, state FROM deliveries WHERE campaign_id = ${Number(id)} ORDER BY id`,
      );
    const [opener, other] = await found();
    const tokens = createLinkTokens(openPixelKey(await linkSecret(api.app.deps.db, undefined)));
    const res = await fetch(
      `${api.url}${OPEN_PIXEL_PATH}${tokens.sign({ deliveryId: opener!.id, link: 0 })}.gif`,
    );
    await res.arrayBuffer();
    // Dies holding the open (no retry of its own ran: its interval is ten minutes).
    await api.stop();

    worker = await startTestApp('postgres', {}, plugins(), {}, database.url);
    const db = worker.app.deps.db;
    for (let i = 0; (await worker.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
      if (i > 600) throw new Error('the campaign did not complete');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const after = await rows<{ id: string; channel: string; state: string }>(
      db,
      sql`SELECT id::text, channel, state FROM deliveries WHERE campaign_id = ${Number(id)} ORDER BY id`,
    );
    expect(after).toEqual([
      { id: opener!.id, channel: 'channel:email-smtp', state: 'read' },
      { id: other!.id, channel: 'channel:sandbox', state: 'sent' },
    ]);
  });
});
