import { describe, expect, it } from 'vitest';
import { campaignFixture } from '../campaigns/campaign-fixture.js';
import {
  addVariant,
  draftFromCampaign,
  emptyDraft,
  planProblem,
  toCampaignInput,
  withAbTest,
} from './draft.js';

describe('toCampaignInput', () => {
  it('sends the audience, plan with escalation, pacing and quiet hours', () => {
    const d = emptyDraft('channel:sandbox');
    d.name = ' 双十一 ';
    d.variants[0]!.text = '你好 {{name}}';
    d.audience = { ...d.audience, include: ['7'] };
    d.plan = [
      { channel: 'channel:wecom', escalateAfterMinutes: 30, escalateUnless: 'READ', failover: '' },
      { channel: 'channel:sms', escalateAfterMinutes: null, escalateUnless: 'DELIVERED', failover: 'a，b' },
    ];
    d.quietHours = { mode: 'WINDOW', start: '21:00', end: '09:00' };
    d.pacing = { mode: 'window', batchIntervalSeconds: 0, sendWindowMinutes: 90 };
    expect(toCampaignInput(d)).toEqual({
      name: '双十一',
      variants: [{ key: 'A', content: { type: 'text', text: '你好 {{name}}' } }],
      audience: { tag: '7' },
      channelPlan: [
        { channel: 'channel:wecom', escalateAfterMs: 1_800_000, escalateUnless: 'READ', failover: [] },
        { channel: 'channel:sms', failover: ['a', 'b'] },
      ],
      channelMode: 'FIRST',
      excludeDormant: false,
      quietHours: { mode: 'WINDOW', start: '21:00', end: '09:00' },
      sendWindowMs: 5_400_000,
    });
  });

  it('makes an A/B test of two or three variants, and a segment replaces the expression', () => {
    let d = withAbTest(emptyDraft('channel:sandbox'), true);
    d = addVariant(addVariant(d));
    expect(d.variants.map((v) => v.key)).toEqual(['A', 'B', 'C']);
    d.audience = { ...d.audience, segmentId: '4' };
    const input = toCampaignInput(d);
    expect(input.segmentId).toBe('4');
    expect(input.audience).toBeUndefined();
    expect(input.abTest).toMatchObject({
      testPercent: 20,
      winnerSelection: 'CONFIRM',
      decisionDelayMs: 14_400_000,
    });
    expect(withAbTest(d, false).variants).toHaveLength(1);
  });

  it('reads a draft back as it was written', () => {
    const d = emptyDraft('channel:sandbox');
    d.name = 'n';
    d.channelMode = 'ALL';
    d.variants[0]!.text = 't';
    d.audience = { ...d.audience, include: ['1', '2'], combine: 'and', exclude: ['3'] };
    const input = toCampaignInput(d);
    const read = draftFromCampaign(
      campaignFixture({
        name: 'n',
        channelMode: 'ALL',
        audience: input.audience,
        variants: [
          {
            id: 'v',
            key: 'A',
            weight: 1,
            content: { type: 'text', subject: null, text: 't' },
            channelContent: [],
          },
        ],
        channelPlan: [
          {
            channel: 'channel:sandbox',
            batchSize: null,
            escalateAfterMs: null,
            escalateUnless: null,
            failover: [],
            trackLinks: true,
          },
        ],
      }),
    );
    expect(toCampaignInput(read)).toEqual(input);
  });
});

describe('content per channel step', () => {
  const withSteps = () => {
    const d = emptyDraft('channel:wecom');
    d.plan = [
      { channel: 'channel:wecom', escalateAfterMinutes: null, escalateUnless: 'DELIVERED', failover: '' },
      {
        channel: 'channel:sms-aliyun',
        escalateAfterMinutes: null,
        escalateUnless: 'DELIVERED',
        failover: '',
      },
    ];
    d.variants[0] = {
      ...d.variants[0]!,
      text: '会员日全场 8 折',
      channelContent: [
        {
          channel: 'channel:wecom',
          type: 'link',
          subject: ' 会员日 ',
          text: 'url: https://shop.example/vip',
        },
        { channel: 'channel:sms-aliyun', type: 'template', subject: '会员日', text: 'name: {{name}}' },
      ],
    };
    return d;
  };

  it("sends each step's own content beside the variant's", () => {
    expect(toCampaignInput(withSteps()).variants).toEqual([
      {
        key: 'A',
        content: { type: 'text', text: '会员日全场 8 折' },
        channelContent: [
          {
            channel: 'channel:wecom',
            content: { type: 'link', subject: '会员日', text: 'url: https://shop.example/vip' },
          },
          {
            channel: 'channel:sms-aliyun',
            content: { type: 'template', subject: '会员日', text: 'name: {{name}}' },
          },
        ],
      },
    ]);
  });

  it('leaves out the content of a step taken out of the plan (the API refuses it)', () => {
    const d = withSteps();
    d.plan = d.plan.slice(0, 1);
    expect(toCampaignInput(d).variants[0]!.channelContent).toEqual([
      {
        channel: 'channel:wecom',
        content: { type: 'link', subject: '会员日', text: 'url: https://shop.example/vip' },
      },
    ]);
    d.plan = [];
    expect(toCampaignInput(d).variants[0]).not.toHaveProperty('channelContent');
  });

  it('reads a step’s own content back', () => {
    const read = draftFromCampaign(
      campaignFixture({
        variants: [
          {
            id: 'v',
            key: 'A',
            weight: 1,
            content: { type: 'text', subject: null, text: 't' },
            channelContent: [
              { channel: 'channel:sms-aliyun', content: { type: 'template', subject: '会员日', text: 'x' } },
            ],
          },
        ],
      }),
    );
    expect(read.variants[0]!.channelContent).toEqual([
      { channel: 'channel:sms-aliyun', type: 'template', subject: '会员日', text: 'x' },
    ]);
  });
});

describe('planProblem: what the API refuses of an all-channels plan, before a save', () => {
  const twoSteps = () => {
    const d = emptyDraft('channel:wecom');
    d.plan = [
      { channel: 'channel:wecom', escalateAfterMinutes: 30, escalateUnless: 'READ', failover: '' },
      {
        channel: 'channel:sms-aliyun',
        escalateAfterMinutes: null,
        escalateUnless: 'DELIVERED',
        failover: '',
      },
    ];
    return d;
  };

  it('finds nothing in a first-that-reaches plan, escalation and A/B test included', () => {
    expect(planProblem(withAbTest(twoSteps(), true))).toBeNull();
  });

  it('names the step whose escalation an all-channels plan cannot hold', () => {
    const d = { ...twoSteps(), channelMode: 'ALL' as const };
    expect(planProblem(d)).toEqual({ kind: 'escalation', step: 1, channel: 'channel:wecom' });
    d.plan[0]!.escalateAfterMinutes = null;
    expect(planProblem(d)).toBeNull();
  });

  it('names a provider that is both a step and a failover', () => {
    const d = { ...twoSteps(), channelMode: 'ALL' as const };
    d.plan[0]!.escalateAfterMinutes = null;
    d.plan[1]!.failover = 'channel:sms-tencent, channel:wecom';
    expect(planProblem(d)).toEqual({ kind: 'twice', step: 2, channel: 'channel:wecom' });
  });

  it('refuses an A/B test in all-channels mode', () => {
    const d = { ...withAbTest(twoSteps(), true), channelMode: 'ALL' as const };
    d.plan[0]!.escalateAfterMinutes = null;
    expect(planProblem(d)).toEqual({ kind: 'abTest' });
  });
});
