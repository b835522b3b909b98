import { describe, expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import { createRegistry } from '../registry/registry.js';
import { makeCampaign } from '../testing/fixtures.js';
import { buildPlan, variantSeedFor } from './plan.js';

function channel(
  name: `channel:${string}`,
  maxRecipientsPerSend: number,
  extra: Partial<ChannelPlugin> = {},
): ChannelPlugin {
  return {
    kind: 'channel',
    name,
    limits: {
      maxRecipientsPerSend,
      contentTypes: ['text'],
      receipts: false,
      recall: false,
      idempotencyKeys: false,
    },
    identityKinds: ['phone'],
    accounts: [],
    address: () => undefined,
    send: async () => [],
    ...extra,
  };
}

const registry = createRegistry([
  channel('channel:sms', 200, { accounts: ['a1', 'a2'] }),
  channel('channel:mail', 1000, { identityKinds: ['email'] }),
]);
const now = new Date('2026-03-01T00:00:00Z');

describe('buildPlan', () => {
  it('declares variants, seed, channels, suppressions and timing', () => {
    const campaign = makeCampaign({
      id: '42',
      variants: [
        { id: 'v1', key: 'A', weight: 1, content: { type: 'text', text: 'a' } },
        { id: 'v2', key: 'B', weight: 3, content: { type: 'text', text: 'b' } },
      ],
      channelPlan: [
        { channel: 'channel:sms', batchSize: 500 },
        { channel: 'channel:mail', batchSize: 50 },
      ],
      batchIntervalMs: 1000,
    });
    const plan = buildPlan(campaign, registry, now);
    expect(plan.variants).toEqual([
      { id: 'v1', fromBucket: 0, toBucket: 2500 },
      { id: 'v2', fromBucket: 2500, toBucket: 10_000 },
    ]);
    expect(plan.variantSeed).toBe(variantSeedFor('42'));
    expect(plan.variantSeed).toBeLessThan(2 ** 31);
    expect(plan.channels).toEqual([
      { channel: 'channel:sms', identityKinds: ['phone'], batchSize: 200, accounts: ['a1', 'a2'] },
      { channel: 'channel:mail', identityKinds: ['email'], batchSize: 50, accounts: [] },
    ]);
    expect(plan.suppress).toEqual(['unsubscribed', 'blacklisted', 'complained', 'erased']);
    expect(plan.firstDueAt).toEqual(now);
    expect(plan.batchIntervalMs).toBe(1000);
  });

  it('suppresses dormant contacts, after the recorded reasons, only when the campaign asks', () => {
    const plan = (excludeDormant: boolean) =>
      buildPlan(
        makeCampaign({ id: '1', channelPlan: [{ channel: 'channel:mail' }], excludeDormant }),
        registry,
        new Date(0),
      );
    expect(plan(true).suppress).toEqual(['unsubscribed', 'blacklisted', 'complained', 'erased', 'dormant']);
    expect(plan(false).suppress).not.toContain('dormant');
  });

  it('takes the channel limit as the default batch size and starts at the scheduled time', () => {
    const scheduledAt = new Date(now.getTime() + 3_600_000);
    const plan = buildPlan(
      makeCampaign({ id: '1', channelPlan: [{ channel: 'channel:mail' }], scheduledAt }),
      registry,
      now,
    );
    expect(plan.channels[0]?.batchSize).toBe(1000);
    expect(plan.firstDueAt).toEqual(scheduledAt);
    const past = buildPlan(
      makeCampaign({ id: '1', channelPlan: [{ channel: 'channel:mail' }], scheduledAt: new Date(0) }),
      registry,
      now,
    );
    expect(past.firstDueAt).toEqual(now);
  });

  it('derives a stable seed from the campaign id (FNV-1a)', () => {
    expect(variantSeedFor('')).toBe(0x811c9dc5 % 2 ** 31);
    expect(variantSeedFor('abc')).toBe(variantSeedFor('abc'));
    expect(variantSeedFor('abc')).not.toBe(variantSeedFor('abd'));
  });

  it('rejects unknown channels, no variants and no channel plan', () => {
    const cases = [
      [makeCampaign({ id: '1', channelPlan: [{ channel: 'channel:fax' }] }), 'CHANNEL_NOT_FOUND'],
      [makeCampaign({ id: '1', variants: [], channelPlan: [{ channel: 'channel:sms' }] }), 'INVALID_INPUT'],
      [makeCampaign({ id: '1', channelPlan: [] }), 'INVALID_INPUT'],
    ] as const;
    for (const [campaign, code] of cases) {
      expect(() => buildPlan(campaign, registry, now)).toThrow(
        expect.toSatisfy((e: unknown) => isQunfaError(e, code)),
      );
    }
  });
});
