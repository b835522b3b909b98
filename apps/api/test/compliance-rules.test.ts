import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { suppressions } from '../src/db/schema/index.js';
import { createSqlRecipientFacts } from '../src/store/recipient-facts-sql.js';
import { compliancePlugins, createCampaign, createContacts, createTag } from './support/compliance-app.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const START = 'mutation($id: ID!) { startCampaign(id: $id) { state } }';

describe.each(drivers)('compliance rules in the running product (%s)', (driver) => {
  let t: TestApp;
  let key: string;
  let tag: string;
  let contacts: string[];

  const completed = async (id: string) =>
    expect
      .poll(async () => (await t.app.deps.store.getCampaign(id))?.state, { timeout: 20_000 })
      .toBe('completed');
  const deliveries = (id: string) =>
    rows<{ contact: string; state: string; reason: string | null; channel: string }>(
      t.app.deps.db,
      sql`SELECT contact_id::text AS contact, state, suppression_reason AS reason, channel
          FROM deliveries WHERE campaign_id = ${Number(id)} ORDER BY contact_id`,
    );

  beforeAll(async () => {
    t = await startTestApp(driver, {}, compliancePlugins({ max: 2, windowDays: 30 }));
    key = t.a.keys.operator;
    tag = await createTag(t.url, key, 'all');
    contacts = await createContacts(
      t.url,
      key,
      [1, 2, 3].map((i) => ({
        name: `客户${i}`,
        ...(i === 2 ? { attributes: { timeZone: 'Europe/London' } } : {}),
        identities: [
          { kind: 'PHONE', value: `+861380000000${i}` },
          { kind: 'EMAIL', value: `c${i}@example.com` },
        ],
        tagIds: [tag],
      })),
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('caps marketing messages per contact across two campaigns and two channels', async () => {
    const sms = await createCampaign(t.url, key, { tag, text: '春季上新', channel: 'channel:sandbox-sms' });
    await gqlOk(t.url, key, START, { id: sms });
    await completed(sms);
    const email = await createCampaign(t.url, key, {
      tag,
      text: '夏季上新',
      channel: 'channel:sandbox-email',
    });
    await gqlOk(t.url, key, START, { id: email });
    await completed(email);
    expect((await deliveries(email)).map((d) => d.state)).toEqual(['sent', 'sent', 'sent']);
    // A contact blacklisted after two sends is suppressed with that reason, the others by the cap.
    await t.app.deps.db
      .insert(suppressions)
      .values({ workspaceId: t.a.id, contactId: Number(contacts[0]), reason: 'blacklisted' });
    const third = await createCampaign(t.url, key, { tag, text: '秋季上新', channel: 'channel:sandbox-sms' });
    await gqlOk(t.url, key, START, { id: third });
    await completed(third);
    expect((await deliveries(third)).map((d) => [d.state, d.reason])).toEqual([
      ['suppressed', 'blacklisted'],
      ['suppressed', 'frequency_cap'],
      ['suppressed', 'frequency_cap'],
    ]);
  });

  it('reads the facts of a batch in one query: time zone, suppressions, recent sends', async () => {
    const facts = await createSqlRecipientFacts(t.app.deps.db).recipientFacts({
      workspaceId: String(t.a.id),
      campaignId: '0',
      contactIds: contacts,
      sentSince: new Date(Date.now() - 86_400_000),
    });
    expect(contacts.map((id) => facts.get(id))).toEqual([
      {
        contactId: contacts[0],
        timeZone: 'Asia/Shanghai',
        suppressions: ['blacklisted'],
        sentSince: 2,
        quietHours: null,
        kind: 'person',
      },
      {
        contactId: contacts[1],
        timeZone: 'Europe/London',
        suppressions: [],
        sentSince: 2,
        quietHours: null,
        kind: 'person',
      },
      {
        contactId: contacts[2],
        timeZone: 'Asia/Shanghai',
        suppressions: [],
        sentSince: 2,
        quietHours: null,
        kind: 'person',
      },
    ]);
  });

  it('refuses to start a campaign with a block finding, in the template or in a value it interpolates', async () => {
    const blocked = await createCampaign(t.url, key, {
      tag,
      text: '本产品保本稳赚，年化收益 12%',
      channel: 'channel:sandbox-email',
    });
    const res = await gql(t.url, key, START, { id: blocked });
    expect(codesOf(res)).toEqual(['COMPLIANCE_BLOCKED']);
    const findings = res.errors?.[0]?.extensions?.details?.findings as { code: string; level: string }[];
    expect(findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'FINANCIAL_CLAIM', level: 'block' })]),
    );
    expect((await t.app.deps.store.getCampaign(blocked))?.state).toBe('draft');

    const other = await createTag(t.url, key, 'vip');
    await createContacts(t.url, key, [
      { name: '保本稳赚理财', identities: [{ kind: 'EMAIL', value: 'x@example.com' }], tagIds: [other] },
    ]);
    const byValue = await createCampaign(t.url, key, {
      tag: other,
      text: '{{name}}，您好',
      channel: 'channel:sandbox-email',
    });
    const refused = await gql(t.url, key, START, { id: byValue });
    expect(codesOf(refused)).toEqual(['COMPLIANCE_BLOCKED']);
    const inValue = refused.errors?.[0]?.extensions?.details?.findings as {
      message: string;
      span: unknown;
    }[];
    expect(inValue).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: expect.stringMatching(/^In \{\{name\}\} \(a contact's value\): /),
          span: { start: 0, end: 8 },
        }),
      ]),
    );
  });
});
