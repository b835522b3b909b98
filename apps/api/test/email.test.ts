import { emailSmtp } from '@qunfa/channels';
import { dsnFor, type FakeSmtp, startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const COUNT = 1000;
const BOUNCE_TOKEN = 'email-bounce-token-0123456789';
const COUNTERS = 'query($id: ID!) { campaign(id: $id) { state counters { sent failed } } }';
type Counters = { campaign: { state: string; counters: { sent: number; failed: number } } };

/** An e-mail campaign of 1,000 through API, engine and channel:email-smtp to a real local SMTP server. */
describe.each(drivers)('e-mail over SMTP end to end on %s', (driver) => {
  let t: TestApp;
  let smtp: FakeSmtp;
  let channel: ReturnType<typeof emailSmtp>;
  let campaignId: string;

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: { user: 'news', pass: 'secret' } });
    channel = emailSmtp({
      host: smtp.host,
      port: smtp.port,
      auth: { user: 'news', pass: 'secret' },
      from: '"群发科技" <news@qunfa.test>',
      returnPath: 'bounces@qunfa.test',
      bounceToken: BOUNCE_TOKEN,
      batchSize: 100,
    });
    t = await startTestApp(driver, {}, [channel, ...builtinMetrics()]);
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '邮件会员',
      count: COUNT,
      identity: (i) => ({ kind: 'EMAIL', value: `member${i}@example.com` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: '邮件会员日',
          audience: { tag },
          variants: [
            {
              key: 'A',
              content: {
                type: 'email',
                subject: '{{name}}，会员日到了',
                text: '<p>{{name}} 您好，<a href="https://shop.qunfa.test/day">会员日</a></p>',
              },
            },
          ],
          channelPlan: [{ channel: 'channel:email-smtp' }],
        },
      },
    );
    campaignId = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: campaignId,
    });
    for (let i = 0; (await t.app.deps.store.getCampaign(campaignId))?.state !== 'completed'; i++) {
      if (i > 1200) throw new Error('the campaign did not complete');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    channel?.close();
    await smtp?.close();
  });

  it('every member received one personalised message with RFC 8058 headers and a tracked link', async () => {
    expect(smtp.messages).toHaveLength(COUNT);
    const to = smtp.messages.map((m) => m.envelope.to.join(','));
    expect(new Set(to).size).toBe(COUNT);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(COUNT);
    for (const m of smtp.messages) {
      const i = Number(m.envelope.to[0]!.match(/^member(\d+)@/)![1]);
      expect(m.subject).toBe(`c${i}，会员日到了`);
      expect(m.html).toContain(`c${i} 您好`);
      expect(m.html).toMatch(new RegExp(`href="${t.url}/l/[A-Za-z0-9_-]+"`));
      expect(m.headers['list-unsubscribe']).toMatch(new RegExp(`^<${t.url}/u/[A-Za-z0-9_-]+>$`));
      expect(m.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(m.envelope.from).toBe('bounces@qunfa.test');
      expect(m.messageId).toMatch(new RegExp(`^qunfa\\.${campaignId}\\.\\d+@qunfa\\.test$`));
    }
    const { campaign } = await gqlOk<Counters>(t.url, t.a.keys.viewer, COUNTERS, { id: campaignId });
    expect(campaign.counters).toEqual({ sent: COUNT, failed: 0 });
  });

  it('one-click unsubscribe by the List-Unsubscribe header (RFC 8058 POST) suppresses the contact', async () => {
    const url = smtp.messages[0]!.headers['list-unsubscribe']!.slice(1, -1);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const unsubscribed = await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM suppressions WHERE reason = 'unsubscribed'`,
    );
    expect(unsubscribed[0]?.n).toBe(1);
  });

  it('a bounce posted to the webhook fails that delivery once; a forged one writes nothing', async () => {
    const target = smtp.messages[1]!;
    const post = (token: string) =>
      fetch(`${t.url}/callbacks/email-smtp/bounce?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822' },
        body: dsnFor(target.messageId!, target.envelope.to[0]!),
      });
    expect((await post('forged-token-forged-token-00')).status).toBe(401);
    expect((await post(BOUNCE_TOKEN)).status).toBe(200);
    expect((await post(BOUNCE_TOKEN)).status).toBe(200);
    const { campaign } = await gqlOk<Counters>(t.url, t.a.keys.viewer, COUNTERS, { id: campaignId });
    expect(campaign.counters.failed).toBe(1);
  });
});
