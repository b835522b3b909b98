import { describe, expect, it } from 'vitest';
import type { ChannelLimits } from '../plugins/channel.js';
import { escalationReceiptProblems, reportsReceipt } from './escalation-receipts.js';

const base: ChannelLimits = {
  maxRecipientsPerSend: 100,
  contentTypes: ['text', 'template', 'email'],
  receipts: true,
  recall: false,
  idempotencyKeys: true,
};
const limits: Record<string, ChannelLimits> = {
  'channel:oa': { ...base, receiptStates: { text: [], template: ['delivered'] } },
  'channel:mail': { ...base, receiptStates: { email: [] }, openPixel: ['email'] },
  'channel:plugin': base,
};
const window = (unless: 'delivered' | 'read') => ({ ms: 60_000, unless });

describe('escalationReceiptProblems', () => {
  it("judges the step's own content per variant, and names step, channel, content type and state", () => {
    const found = escalationReceiptProblems(
      {
        channelPlan: [
          { channel: 'channel:plugin' },
          { channel: 'channel:oa', escalateAfter: window('delivered') },
          { channel: 'channel:mail' },
        ],
        variants: [
          { content: { type: 'text' }, channelContent: { 'channel:oa': { type: 'template' } } },
          { content: { type: 'text' } },
        ],
      },
      (name) => limits[name],
      false,
    );
    expect(found.map(({ message: _, ...p }) => p)).toEqual([
      {
        step: 1,
        channel: 'channel:oa',
        contentType: 'text',
        unless: 'delivered',
        field: 'channelPlan.1.escalateUnless',
      },
    ]);
  });

  it('an undeclared channel, a plan without windows and an all-channels plan are not judged', () => {
    const plan = [{ channel: 'channel:plugin', escalateAfter: window('read') }, { channel: 'channel:oa' }];
    expect(
      escalationReceiptProblems(
        { channelPlan: plan, variants: [{ content: { type: 'text' } }] },
        (n) => limits[n],
        false,
      ),
    ).toEqual([]);
    expect(
      escalationReceiptProblems(
        {
          channelPlan: [{ channel: 'channel:oa', escalateAfter: window('read') }],
          channelMode: 'all',
          variants: [{ content: { type: 'text' } }],
        },
        (n) => limits[n],
        false,
      ),
    ).toEqual([]);
  });

  it("reads by pixel count only when the campaign tracks opens, and only for the pixel's content types", () => {
    const mail = limits['channel:mail']!;
    expect(reportsReceipt(mail, 'email', 'read', false)).toBe(false);
    expect(reportsReceipt(mail, 'email', 'read', true)).toBe(true);
    expect(reportsReceipt(mail, 'email', 'delivered', true)).toBe(false);
    expect(reportsReceipt(mail, 'text', 'read', true)).toBe(false);
    expect(reportsReceipt(limits['channel:plugin']!, 'text', 'read', false)).toBeUndefined();
  });
});
