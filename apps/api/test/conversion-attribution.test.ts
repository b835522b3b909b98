import { createHmac } from 'node:crypto';
import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const LANDING = 'https://shop.example.com/sale?from=sms';
const record = `mutation($input: RecordConversionInput!) { recordConversion(input: $input) {
  contactId campaignId deliveryId attributedBy duplicate } }`;
const browser = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0' };

describe.each(drivers)('conversions by tracked link, and cost per conversion (%s)', (driver) => {
  let t: TestApp;
  let first = '';
  let second = '';
  const conversions = async () =>
    (await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM conversions`))[0]!.n;
  const deliveryOf = async (campaignId: string, contactId: string) =>
    String(
      (
        await rows<{ id: number }>(
          t.app.deps.db,
          sql`SELECT id FROM deliveries WHERE campaign_id = ${Number(campaignId)} AND contact_id = ${Number(contactId)}`,
        )
      )[0]!.id,
    );
  /** Clicks the contact's tracked link of the campaign as a phone would; the landing URL's qf_click. */
  const click = async (campaignId: string, contactId: string) => {
    const deliveryId = await deliveryOf(campaignId, contactId);
    const res = await fetch(t.app.deps.evidence!.linkTracker!.url({ deliveryId, link: 0 }), {
      redirect: 'manual',
      headers: browser,
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}?from=${location.searchParams.get('from')}`).toBe(LANDING);
    return { deliveryId, token: location.searchParams.get('qf_click')! };
  };

  beforeAll(async () => {
    t = await startTestApp(driver, {}, [
      sandbox({ latencyMs: { min: 1, max: 3 }, maxRecipientsPerSend: 100, seed: 3 }),
      ...builtinMetrics(),
    ]);
    const admin = t.a.keys.admin;
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'shoppers',
      count: 6,
      identity: (i) => ({ kind: 'PHONE', value: `+86138${String(i).padStart(8, '0')}` }),
    });
    const campaign = (name: string) => ({
      name,
      audience: { tag },
      variants: [{ key: 'A', content: { text: `会员日特惠 ${LANDING} 回T退订` } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
      quietHours: { mode: 'OFF' },
    });
    first = await createAndStartCampaign(t, campaign('first'), admin);
    await waitForCompletion(t, first);
    second = await createAndStartCampaign(t, campaign('second'), admin);
    await waitForCompletion(t, second);
    await gqlOk(
      t.url,
      admin,
      'mutation($p: [ChannelPriceInput!]!) { setChannelPrices(prices: $p) { channel } }',
      {
        p: [{ channel: 'channel:sandbox', amount: 0.05, currency: 'CNY', unit: 'MESSAGE' }],
      },
    );
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('a conversion carrying the click token is the clicked delivery’s, although a later message reached the contact', async () => {
    const [contact] = await rows<{ id: number }>(
      t.app.deps.db,
      sql`SELECT contact_id AS id FROM deliveries WHERE campaign_id = ${Number(first)} ORDER BY id LIMIT 1`,
    );
    const contactId = String(contact!.id);
    const { deliveryId, token } = await click(first, contactId);
    // Then the second campaign's message to the same person is clicked too: it is now the latest.
    await click(second, contactId);

    const byContact = await gqlOk<{ recordConversion: Record<string, unknown> }>(
      t.url,
      t.a.keys.operator,
      record,
      {
        input: { idempotencyKey: 'by-contact', event: 'purchase', contactId },
      },
    );
    // Without the token: the latest message that reached the contact, the second campaign's.
    expect(byContact.recordConversion).toMatchObject({ attributedBy: 'contact', campaignId: second });

    const byLink = await gqlOk<{ recordConversion: Record<string, unknown> }>(
      t.url,
      t.a.keys.operator,
      record,
      {
        input: { idempotencyKey: 'by-link', event: 'purchase', value: 88, currency: 'CNY', linkToken: token },
      },
    );
    expect(byLink.recordConversion).toEqual({
      contactId,
      campaignId: first,
      deliveryId,
      attributedBy: 'link',
      duplicate: false,
    });
    // The same contact named beside the token is fine; another contact is refused.
    const same = await gqlOk<{ recordConversion: Record<string, unknown> }>(
      t.url,
      t.a.keys.operator,
      record,
      {
        input: { idempotencyKey: 'by-link-2', event: 'signup', contactId, linkToken: token },
      },
    );
    expect(same.recordConversion).toMatchObject({ deliveryId, attributedBy: 'link' });
    const before = await conversions();
    const [other] = await rows<{ id: number }>(
      t.app.deps.db,
      sql`SELECT contact_id AS id FROM deliveries WHERE campaign_id = ${Number(first)} AND contact_id <> ${Number(contactId)} LIMIT 1`,
    );
    const mismatch = await gql(t.url, t.a.keys.operator, record, {
      input: {
        idempotencyKey: 'mismatch',
        event: 'purchase',
        contactId: String(other!.id),
        linkToken: token,
      },
    });
    expect(codesOf(mismatch)).toEqual(['INVALID_INPUT']);
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const [key, linkToken] of [
      ['forged', forged],
      ['garbage', 'not-a-token'],
    ] as const) {
      const refused = await gql(t.url, t.a.keys.operator, record, {
        input: { idempotencyKey: key, event: 'purchase', linkToken },
      });
      expect(codesOf(refused)).toEqual(['INVALID_INPUT']);
      expect(refused.errors?.[0]?.extensions?.details).toMatchObject({ field: 'linkToken' });
    }
    // Workspace B's key cannot claim A's click.
    const stranger = await gql(t.url, t.b.keys.operator, record, {
      input: { idempotencyKey: 'stranger', event: 'purchase', linkToken: token },
    });
    expect(codesOf(stranger)).toEqual(['INVALID_INPUT']);
    expect(await conversions()).toBe(before);
  });

  it('the signed webhook takes a token too', async () => {
    const [contact] = await rows<{ id: number }>(
      t.app.deps.db,
      sql`SELECT contact_id AS id FROM deliveries WHERE campaign_id = ${Number(first)} ORDER BY id DESC LIMIT 1`,
    );
    const { deliveryId, token } = await click(first, String(contact!.id));
    const { rotateConversionSecret: secret } = await gqlOk<{ rotateConversionSecret: string }>(
      t.url,
      t.a.keys.admin,
      'mutation { rotateConversionSecret }',
    );
    const body = JSON.stringify({ idempotencyKey: 'hook-1', event: 'purchase', linkToken: token });
    const at = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
    const res = await fetch(`${t.url}/conversions/${t.a.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'qunfa-signature': `t=${at},v1=${signature}` },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ deliveryId, campaignId: first, attributedBy: 'link' });
  });

  it('cost per conversion: per channel and per currency, each converted delivery once', async () => {
    const { campaign } = await gqlOk<{
      campaign: {
        funnel: { variantKey: string | null; channel: string | null; converted: number }[];
        cost: {
          channels: {
            channel: string;
            billed: number;
            converted: number;
            amount: number;
            perConversion: number | null;
          }[];
          perConversion: { currency: string; amount: number }[];
        };
      };
    }>(
      t.url,
      t.a.keys.viewer,
      `query($id: ID!) { campaign(id: $id) { funnel { variantKey channel converted }
         cost { channels { channel billed converted amount perConversion } perConversion { currency amount } } } }`,
      { id: first },
    );
    const [sms] = campaign.cost.channels;
    // Two deliveries converted (three conversions by link: two of them on the same delivery).
    const [{ n }] = (await rows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(DISTINCT delivery_id)::int AS n FROM conversions WHERE campaign_id = ${Number(first)}`,
    )) as [{ n: number }];
    expect(n).toBe(2);
    expect(sms).toMatchObject({ channel: 'channel:sandbox', converted: 2 });
    expect(sms!.amount).toBeCloseTo(sms!.billed * 0.05, 6);
    expect(sms!.perConversion).toBeCloseTo(sms!.amount / 2, 6);
    expect(campaign.cost.perConversion).toEqual([{ currency: 'CNY', amount: sms!.perConversion }]);
    expect(campaign.funnel.find((r) => r.variantKey === null && r.channel === null)?.converted).toBe(2);
  });
});
