import { describe, expect, it } from 'vitest';
import { type ChannelPlanStep, planStepIndexOf } from './campaign.js';

const channelPlan: ChannelPlanStep[] = [
  { channel: 'channel:wecom' },
  { channel: 'channel:aliyun-sms', failover: ['channel:tencent-sms'] },
  { channel: 'channel:email' },
];

describe('planStepIndexOf', () => {
  it("is a channel's place in the plan, a failover provider's that of its step", () => {
    const first = { channelPlan, channelMode: 'first' as const };
    expect(planStepIndexOf(first, 'channel:wecom')).toBe(0);
    expect(planStepIndexOf(first, 'channel:aliyun-sms')).toBe(1);
    expect(planStepIndexOf(first, 'channel:tencent-sms')).toBe(1);
    expect(planStepIndexOf(first, 'channel:email')).toBe(2);
    expect(planStepIndexOf(first, 'channel:unknown')).toBe(0);
  });

  it('is 0 for every channel of an all-channels plan, whose steps send at once', () => {
    expect(planStepIndexOf({ channelPlan, channelMode: 'all' }, 'channel:email')).toBe(0);
  });
});
