import { emailSmtp, smsAliyun } from '@qunfa/channels';
import { type FakeSmtp, startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import { type FakeAliyun, startFakeAliyun } from '@qunfa/channels/sms-aliyun/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const N = 120;

/** Who each contact is: which identities they have, and what happens to their SMS. */
const person = (i: number) => ({
  phone: i % 4 !== 1 && i % 10 !== 9 ? `139${String(i).padStart(8, '0')}` : undefined,
  email: i % 4 !== 0 && i % 10 !== 9 ? `member${i}@example.com` : undefined,
  /** No identity either channel takes: planned `no_address`. */
  unreachable: i % 10 === 9,
  blacklisted: i % 12 === 3,
  /** Aliyun refuses the number (invalid_recipient): the e-mail still goes, nothing escalates. */
  refused: i % 8 === 2,
});
const people = Array.from({ length: N }, (_, i) => ({ i, ...person(i) }));
const sendable = people.filter((p) => !p.blacklisted && !p.unreachable);

const COUNTERS = `query($id: ID!) { campaign(id: $id) { channelMode
  counters { total queued submitted sent delivered failed suppressed uncertain awaitingConfirmation read clicked filtered waiting }
  funnel { variantKey channel sent } } }`;
interface Result {
  campaign: {
    channelMode: string;
    counters: Record<string, number>;
    funnel: { variantKey: string | null; channel: string | null; sent: number }[];
  };
}

/**
 * An all-channels notice over SMS (Aliyun) and e-mail through API and engine: every recipient gets
 * a message on every channel that reaches them, counted from what the fakes received; counters
 * count messages and add up, the funnel counts people once.
 */
describe.each(drivers)('all-channels campaign on %s', (driver) => {
  let t: TestApp;
  let aliyun: FakeAliyun;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof emailSmtp>;
  let campaignId: string;

  beforeAll(async () => {
    aliyun = await startFakeAliyun({ signNames: ['群发科技'], templates: { SMS_1: ['code'] } });
    for (const p of people) if (p.phone && p.refused) aliyun.account.illegal.add(p.phone);
    smtp = await startFakeSmtp({});
    email = emailSmtp({ host: smtp.host, port: smtp.port, from: '"群发科技" <notice@qunfa.test>' });
    const sms = smsAliyun({
      accessKeyId: 'LTAIfakeAccessKeyId',
      accessKeySecret: 'fakeAccessKeySecret',
      signName: '群发科技',
      endpoint: aliyun.endpoint,
      protocol: 'http',
    });
    t = await startTestApp(driver, {}, [sms, email, ...builtinMetrics()]);
    const { createContacts } = await gqlOk<{ createContacts: { id: string }[] }>(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: people.map((p) => ({
          name: `c${p.i}`,
          identities: [
            ...(p.phone ? [{ kind: 'PHONE', value: `+86${p.phone}` }] : []),
            ...(p.email ? [{ kind: 'EMAIL', value: p.email }] : []),
            ...(p.unreachable ? [{ kind: 'OA_OPENID', value: `o${p.i}` }] : []),
          ],
        })),
      },
    );
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($ids: [ID!]!) { suppressContacts(contactIds: $ids, reason: BLACKLISTED) }',
      { ids: people.filter((p) => p.blacklisted).map((p) => createContacts[p.i]!.id) },
    );
    campaignId = await createAndStartCampaign(t, {
      name: '系统维护通知',
      audience: { all: true },
      channelMode: 'ALL',
      variants: [
        {
          key: 'A',
          content: { text: '今晚 23:00 系统维护' },
          channelContent: [
            {
              channel: 'channel:sms-aliyun',
              content: { type: 'template', subject: 'SMS_1', text: 'code: 2300' },
            },
            {
              channel: 'channel:email-smtp',
              content: {
                type: 'email',
                subject: '系统维护通知',
                text: '<p>{{name}}，今晚 23:00 系统维护</p>',
              },
            },
          ],
        },
      ],
      channelPlan: [{ channel: 'channel:sms-aliyun' }, { channel: 'channel:email-smtp' }],
    });
    await waitForCompletion(t, campaignId);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    email?.close();
    await smtp?.close();
    await aliyun?.close();
  });

  it('sends on every channel that reaches a recipient, once each, and escalates nothing', async () => {
    const texted = aliyun.account.records.map((r) => r.phone).sort();
    const expectedTexts = sendable.filter((p) => p.phone && !p.refused).map((p) => p.phone!);
    expect(texted).toEqual(expectedTexts.sort());
    const mailed = smtp.messages.map((m) => m.envelope.to.join(',')).sort();
    // A refused number's e-mail goes as planned; it is not sent a second one by escalation.
    expect(mailed).toEqual(sendable.flatMap((p) => (p.email ? [p.email] : [])).sort());
    const byChannel = await rows<{ channel: string | null; state: string; n: number }>(
      t.app.deps.db,
      sql`SELECT channel, state, count(*)::int AS n FROM deliveries
          WHERE campaign_id = ${Number(campaignId)}::bigint GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const refusedTexts = sendable.filter((p) => p.phone && p.refused).length;
    expect(byChannel.filter((r) => r.state === 'failed')).toEqual([
      { channel: 'channel:sms-aliyun', state: 'failed', n: refusedTexts },
    ]);
  });

  it('counts messages in the counters, which add up, and people once in the funnel', async () => {
    const { campaign } = await gqlOk<Result>(t.url, t.a.keys.viewer, COUNTERS, { id: campaignId });
    expect(campaign.channelMode).toBe('ALL');
    const c = campaign.counters;
    const messages = sendable.reduce((n, p) => n + (p.phone ? 1 : 0) + (p.email ? 1 : 0), 0);
    const withheld = people.length - sendable.length;
    expect(c.total).toBe(messages + withheld);
    expect(c.suppressed).toBe(withheld);
    expect(c.failed).toBe(sendable.filter((p) => p.phone && p.refused).length);
    const { total, ...states } = c;
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(total);
    const reachedPeople = sendable.filter((p) => p.email || (p.phone && !p.refused)).length;
    const row = (channel: string | null) =>
      campaign.funnel.find((r) => r.variantKey === null && r.channel === channel)?.sent;
    expect(row(null)).toBe(reachedPeople);
    expect(row('channel:sms-aliyun')).toBe(sendable.filter((p) => p.phone && !p.refused).length);
    expect(row('channel:email-smtp')).toBe(sendable.filter((p) => p.email).length);
    expect(row(null)).toBeLessThan(c.sent! + c.delivered!);
  });

  it('refuses an escalation window or an A/B test in an all-channels plan, writing nothing', async () => {
    const before = await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM campaigns`);
    const create = (extra: Record<string, unknown>, plan: Record<string, unknown>[]) =>
      gql(
        t.url,
        t.a.keys.operator,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'bad',
            audience: { all: true },
            channelMode: 'ALL',
            variants: [
              { key: 'A', content: { text: 'x' } },
              { key: 'B', content: { text: 'y' } },
            ],
            channelPlan: plan,
            ...extra,
          },
        },
      );
    const windowed = await create({}, [
      { channel: 'channel:email-smtp', escalateAfterMs: 60_000 },
      { channel: 'channel:sms-aliyun' },
    ]);
    expect(codesOf(windowed)).toEqual(['INVALID_INPUT']);
    const tested = await create({ abTest: { testPercent: 20 } }, [{ channel: 'channel:email-smtp' }]);
    expect(codesOf(tested)).toEqual(['INVALID_INPUT']);
    const after = await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM campaigns`);
    expect(after).toEqual(before);
  });
});
