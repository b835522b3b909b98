import { emailSmtp, sandbox } from '@qunfa/channels';
import { type FakeSmtp, type FakeSmtpMessage, startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { TRANSPARENT_GIF } from '../src/http/open-pixel.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const HTML =
  '<html><body><p>{{name}} 您好，<a href="https://shop.qunfa.test/day">会员日</a></p></body></html>';
const PIXEL = /<img src="([^"]*\/o\/[A-Za-z0-9_-]+\.gif)" width="1" height="1" alt="" border="0">/;

/** The open pixel end to end: workspace setting → engine → SMTP → `/o/<token>.gif` → read. */
describe.each(drivers)('e-mail open pixel on %s', (driver) => {
  let t: TestApp;
  let smtp: FakeSmtp;
  let channel: ReturnType<typeof emailSmtp>;
  let tag: string;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    channel = emailSmtp({ host: smtp.host, port: smtp.port, from: 'news@qunfa.test', batchSize: 10 });
    const fallback = sandbox({ latencyMs: { min: 1, max: 2 }, seed: 7 });
    t = await startTestApp(driver, {}, [channel, fallback, ...builtinMetrics()]);
    tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '邮件会员',
      count: 3,
      identity: (i) => ({ kind: 'EMAIL', value: `open${i}@example.com` }),
    });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    channel?.close();
    await smtp?.close();
  });

  const setPixel = (on: boolean) =>
    gqlOk<{ updateWorkspace: { openPixel: boolean } }>(
      t.url,
      t.a.keys.admin,
      'mutation($on: Boolean) { updateWorkspace(input: { openPixel: $on }) { openPixel } }',
      { on },
    );

  /** Creates, starts and waits out a campaign; returns its id and the mails it sent. */
  async function run(
    name: string,
    text: string,
    plan: Record<string, unknown>[] = [{ channel: 'channel:email-smtp' }],
    whileRunning?: (mails: FakeSmtpMessage[]) => Promise<void>,
  ): Promise<{ id: string; mails: FakeSmtpMessage[] }> {
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name,
          audience: { tag },
          variants: [{ key: 'A', content: { type: 'email', subject: `${name} {{name}}`, text } }],
          channelPlan: plan,
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const mails = () => smtp.messages.filter((m) => m.headers['x-qunfa-campaign'] === id);
    for (let i = 0; mails().length < 3; i++) {
      if (i > 600) throw new Error(`${name}: the mails did not arrive`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await whileRunning?.(mails());
    for (let i = 0; (await t.app.deps.store.getCampaign(id))?.state !== 'completed'; i++) {
      if (i > 600) throw new Error(`${name}: the campaign did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { id, mails: mails() };
  }

  const pixelOf = (mail: FakeSmtpMessage) => PIXEL.exec(mail.html)?.[1];
  const readEvents = (campaignId: string) =>
    rows<{ deliveryId: string; payload: Record<string, unknown> }>(
      t.app.deps.db,
      sql`SELECT delivery_id::text AS "deliveryId", payload FROM events
          WHERE campaign_id = ${Number(campaignId)} AND type = 'delivery.read' ORDER BY id`,
    );
  const allEvents = async () =>
    (await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM events`))[0]!.n;

  let pixelled: { id: string; mails: FakeSmtpMessage[] };

  it('is off by default: no pixel in the mail, and the campaign says so', async () => {
    const { viewer } = await gqlOk<{ viewer: { workspace: { openPixel: boolean } } }>(
      t.url,
      t.a.keys.viewer,
      '{ viewer { workspace { openPixel } } }',
    );
    expect(viewer.workspace.openPixel).toBe(false);
    const off = await run('关闭', HTML);
    expect(off.mails).toHaveLength(3);
    for (const mail of off.mails) {
      expect(mail.html).not.toContain('/o/');
      expect(mail.html).toContain('您好');
    }
    const { campaign } = await gqlOk<{ campaign: { openPixel: boolean } }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { openPixel } }',
      { id: off.id },
    );
    expect(campaign.openPixel).toBe(false);
  });

  it('only an admin turns it on; then each HTML mail carries its own pixel before </body>, the text part none', async () => {
    const denied = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.a.keys.operator}` },
      body: JSON.stringify({
        query: 'mutation { updateWorkspace(input: { openPixel: true }) { openPixel } }',
      }),
    }).then((r) => r.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await setPixel(true)).updateWorkspace.openPixel).toBe(true);

    pixelled = await run('开启', HTML);
    const urls = pixelled.mails.map(pixelOf);
    expect(urls.every((u) => u?.startsWith(`${t.url}/o/`))).toBe(true);
    expect(new Set(urls).size).toBe(3);
    for (const mail of pixelled.mails) {
      expect(mail.html).toMatch(/<img [^>]*><\/body><\/html>$/);
      expect(mail.text).not.toContain('/o/');
    }
  });

  it('a mail written as plain text carries no pixel even with the setting on', async () => {
    const plain = await run('纯文本', '{{name}} 您好，会员日见 https://shop.qunfa.test/day');
    for (const mail of plain.mails) {
      expect(mail.html).not.toContain('/o/');
      expect(mail.text).not.toContain('/o/');
    }
  });

  it('the GIF marks the delivery read once: two loads, one read event, nothing personal kept', async () => {
    const url = pixelOf(pixelled.mails[0]!)!;
    const before = await readEvents(pixelled.id);
    expect(before).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url, { headers: { 'user-agent': 'Mozilla/5.0 (test mail client)' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(res.headers.get('cache-control')).toContain('no-store');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(TRANSPARENT_GIF)).toBe(true);
    }
    const events = await readEvents(pixelled.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({ source: 'pixel' });
    const [delivery] = await rows<{ state: string }>(
      t.app.deps.db,
      sql`SELECT d.state FROM deliveries d WHERE d.id = ${Number(events[0]!.deliveryId)}`,
    );
    expect(delivery!.state).toBe('read');
    const { campaign } = await gqlOk<{
      campaign: {
        openPixel: boolean;
        counters: { read: number };
        funnel: { channel: string | null; opened: number }[];
        opens: {
          channel: string;
          reached: number;
          opened: number;
          openRate: number;
          averageMsToOpen: number;
          timedOpens: number;
        }[];
      };
    }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { openPixel counters { read }
         funnel { channel opened } opens { channel reached opened openRate averageMsToOpen timedOpens } } }`,
      { id: pixelled.id },
    );
    expect(campaign.openPixel).toBe(true);
    expect(campaign.counters.read).toBe(1);
    expect(campaign.funnel.find((r) => r.channel === 'channel:email-smtp')?.opened).toBe(1);
    expect(campaign.opens).toHaveLength(1);
    const [opens] = campaign.opens;
    expect(opens).toMatchObject({ channel: 'channel:email-smtp', reached: 3, opened: 1, timedOpens: 1 });
    expect(opens!.openRate).toBeCloseTo(100 / 3);
    // From the send's settlement to the GIF load: non-negative, and within the test's own run.
    expect(opens!.averageMsToOpen).toBeGreaterThanOrEqual(0);
    expect(opens!.averageMsToOpen).toBeLessThan(120_000);
  });

  it('a forged, foreign or malformed token still gets the GIF and writes nothing', async () => {
    const url = pixelOf(pixelled.mails[1]!)!;
    const token = url.slice(url.lastIndexOf('/') + 1, -'.gif'.length);
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    // The same delivery's tracked-link token: valid, but signed with the click key.
    const clickToken = /\/l\/([A-Za-z0-9_-]+)/.exec(pixelled.mails[1]!.html)![1]!;
    const before = await allEvents();
    for (const path of [`/o/${flipped}.gif`, `/o/${clickToken}.gif`, '/o/nothing', `/o/${token}.png`]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(TRANSPARENT_GIF)).toBe(true);
    }
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await allEvents()).toBe(before);
    expect(await readEvents(pixelled.id)).toHaveLength(1);
  });

  it('an open counts as read for escalation: only the unopened move to the next step', async () => {
    const escalated = await run(
      '升级',
      HTML,
      [
        { channel: 'channel:email-smtp', escalateAfterMs: 4000, escalateUnless: 'READ' },
        { channel: 'channel:sandbox' },
      ],
      async (mails) => {
        const res = await fetch(pixelOf(mails[0]!)!);
        await res.arrayBuffer();
      },
    );
    const found = await rows<{ email: string; channel: string; state: string }>(
      t.app.deps.db,
      sql`SELECT i.value AS email, d.channel, d.state FROM deliveries d
          JOIN contact_identities i ON i.contact_id = d.contact_id
          WHERE d.campaign_id = ${Number(escalated.id)} ORDER BY i.value`,
    );
    const opened = escalated.mails[0]!.envelope.to[0]!;
    expect(found.find((r) => r.email === opened)).toMatchObject({
      channel: 'channel:email-smtp',
      state: 'read',
    });
    expect(found.filter((r) => r.email !== opened).map((r) => r.channel)).toEqual([
      'channel:sandbox',
      'channel:sandbox',
    ]);
  });
});
