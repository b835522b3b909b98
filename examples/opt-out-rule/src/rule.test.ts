import { buildPlan, checkBeforeStart, createRegistry, defineChannel, isQunfaError } from '@qunfa/core';
import { makeCampaign } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { optOutNotice } from './rule.js';

const text = (t: string) => ({ type: 'text' as const, text: t });

describe('rule:opt-out-notice, called directly', () => {
  const rule = optOutNotice();

  it('flags an SMS text without an opt-out phrase, at its end', async () => {
    const findings = await rule.checkContent!(text('双十一会员日全场五折'), {
      channels: ['channel:aliyun-sms'],
    });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'rule:opt-out-notice',
        level: 'revise',
        code: 'OPT_OUT_NOTICE_MISSING',
        span: { start: 10, end: 10 },
        channel: 'channel:aliyun-sms',
      }),
    ]);
  });

  it('passes a text that says how to opt out, and channels it does not apply to', async () => {
    expect(
      await rule.checkContent!(text('会员日五折 回T退订'), { channels: ['channel:aliyun-sms'] }),
    ).toEqual([]);
    expect(await rule.checkContent!(text('会员日五折'), { channels: ['channel:wecom'] })).toEqual([]);
    const custom = optOutNotice({ channels: ['channel:dingtalk-robot'], phrases: ['退订'], level: 'block' });
    expect(await custom.checkContent!(text('hi'), { channels: ['channel:dingtalk-robot'] })).toMatchObject([
      { level: 'block' },
    ]);
  });

  it('refuses bad options, naming the option', () => {
    try {
      optOutNotice({ phrases: [] });
      expect.unreachable();
    } catch (error) {
      expect(isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
      expect((error as { details: { field: string } }).details.field).toBe('phrases');
    }
  });
});

describe('rule:opt-out-notice, through the kernel', () => {
  const sms = defineChannel({
    name: 'channel:demo-sms',
    options: z.object({}),
    create: () => ({
      limits: {
        maxRecipientsPerSend: 10,
        contentTypes: ['text'],
        receipts: false,
        recall: false,
        idempotencyKeys: false,
      },
      identityKinds: ['phone'],
      accounts: [],
      address: (ids) => ids.find((i) => i.kind === 'phone')?.value,
      send: async (batch) => batch.messages.map((m) => ({ id: m.id, status: 'sent' as const })),
    }),
  });

  it('is judged by checkBeforeStart, per variant, for the SMS channel of the plan', async () => {
    const registry = createRegistry([sms(), optOutNotice()]);
    const now = new Date('2026-11-01T02:00:00Z');
    const campaign = makeCampaign({ id: '7', channelPlan: [{ channel: 'channel:demo-sms' }] });
    const findings = await checkBeforeStart(campaign, buildPlan(campaign, registry, now), registry, {
      audienceSize: 1,
      now,
    });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'rule:opt-out-notice',
        code: 'OPT_OUT_NOTICE_MISSING',
        variantId: '701',
      }),
    ]);
  });
});
