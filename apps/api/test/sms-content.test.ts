// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Aliyun templates write their variables as ${name}
import { smsAliyun } from '@qunfa/channels';
import { type FakeAliyun, startFakeAliyun } from '@qunfa/channels/sms-aliyun/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceRules } from '../src/plugins.js';
import { createContacts, createTag } from './support/compliance-app.js';
import { drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const START = 'mutation($id: ID!) { startCampaign(id: $id) { state } }';
type Found = { code: string; level: string; channel: string | null; message: string };

/** SMS content is a pre-approved template: what the default rules find before a start, through the API. */
describe.each(drivers)('SMS content before the start (%s)', (driver) => {
  let t: TestApp;
  let aliyun: FakeAliyun;
  let key: string;
  let tag: string;

  const campaign = async (content: Record<string, unknown>) =>
    (
      await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        key,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'sms',
            audience: { tag },
            variants: [{ key: 'A', content }],
            channelPlan: [{ channel: 'channel:sms-aliyun', trackLinks: false }],
          },
        },
      )
    ).createCampaign.id;
  const refusedWith = async (id: string) => {
    const res = await gql(t.url, key, START, { id });
    expect(codesOf(res)).toEqual(['COMPLIANCE_BLOCKED']);
    expect((await t.app.deps.store.getCampaign(id))?.state).toBe('draft');
    return res.errors?.[0]?.extensions?.details?.findings as Found[];
  };

  beforeAll(async () => {
    aliyun = await startFakeAliyun({ signNames: ['群发科技'], templates: { SMS_100: ['name'] } });
    const channel = smsAliyun({
      accessKeyId: 'LTAIfakeAccessKeyId',
      accessKeySecret: 'fakeAccessKeySecret',
      signName: '群发科技',
      endpoint: aliyun.endpoint,
      protocol: 'http',
      templates: {
        会员日: { id: 'SMS_100', text: '${name}您好，会员日全场8折，回复TD退订', kind: 'marketing' },
        理财: { id: 'SMS_200', text: '${name}您好，本产品保本稳赚，回复TD退订', kind: 'marketing' },
      },
    });
    t = await startTestApp(driver, {}, (services) => [
      channel,
      ...builtinMetrics(),
      ...complianceRules({ ...services, quietHours: 'off' }).filter((r) => r.kind === 'rule'),
    ]);
    key = t.a.keys.operator;
    tag = await createTag(t.url, key, 'sms');
    await createContacts(t.url, key, [
      { name: '王', identities: [{ kind: 'PHONE', value: '+8613800000001' }], tagIds: [tag] },
    ]);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await aliyun?.close();
  });

  it("shows the channel's sign name and template registry, with each template's variables, for the composer", async () => {
    const { channels } = await gqlOk<{
      channels: { name: string; limits: { sms: { signName: string; templates: unknown[] } | null } }[];
    }>(
      t.url,
      t.a.keys.viewer,
      '{ channels { name limits { sms { signName templates { name id text kind variables } } } } }',
    );
    expect(channels.find((c) => c.name === 'channel:sms-aliyun')?.limits.sms).toEqual({
      signName: '群发科技',
      templates: [
        {
          name: '会员日',
          id: 'SMS_100',
          text: '${name}您好，会员日全场8折，回复TD退订',
          kind: 'marketing',
          variables: ['name'],
        },
        {
          name: '理财',
          id: 'SMS_200',
          text: '${name}您好，本产品保本稳赚，回复TD退订',
          kind: 'marketing',
          variables: ['name'],
        },
      ],
    });
  });

  it('refuses free text on the SMS channel with a finding that says it needs an approved template', async () => {
    const findings = await refusedWith(await campaign({ type: 'text', text: '会员日全场8折' }));
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'SMS_TEMPLATE_REQUIRED',
        level: 'block',
        channel: 'channel:sms-aliyun',
      }),
    ]);
    expect(findings[0]!.message).toContain('pre-approved SMS templates');
  });

  it('refuses a template whose lines do not map its variables', async () => {
    const findings = await refusedWith(
      await campaign({ type: 'template', subject: '会员日', text: 'nmae: {{name}}' }),
    );
    expect(findings.map((f) => f.code).sort()).toEqual([
      'SMS_TEMPLATE_PARAM_MISSING',
      'SMS_TEMPLATE_PARAM_UNKNOWN',
    ]);
  });

  it("finds a blocked claim in the approved template's own text, naming the channel", async () => {
    const findings = await refusedWith(
      await campaign({ type: 'template', subject: '理财', text: 'name: {{name}}' }),
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'FINANCIAL_CLAIM',
          channel: 'channel:sms-aliyun',
          message: expect.stringMatching(/^In the text of SMS template SMS_200 on channel:sms-aliyun: /),
        }),
      ]),
    );
  });

  it('starts a mapped template and sends it with its parameters', async () => {
    const id = await campaign({ type: 'template', subject: '会员日', text: 'name: {{name}}' });
    await gqlOk(t.url, key, START, { id });
    await expect
      .poll(async () => (await t.app.deps.store.getCampaign(id))?.state, { timeout: 20_000 })
      .toBe('completed');
    expect(aliyun.account.records.map((r) => [r.templateCode, r.params])).toEqual([
      ['SMS_100', { name: '王' }],
    ]);
  });
});
