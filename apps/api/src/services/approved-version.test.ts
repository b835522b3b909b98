import type { Campaign } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { approvedSnapshot, approvedVersionOf } from './approved-version.js';
import type { ReviewRow } from './review-state.js';

const campaign = {
  name: '双十二',
  variants: [{ id: '1', key: 'A', weight: 1, content: { type: 'text', text: '你好' } }],
  audience: { all: true },
  excludeDormant: false,
  segmentId: null,
  channelPlan: [{ channel: 'channel:sandbox' }, { channel: 'channel:sandbox-sms' }],
  channelMode: 'all',
  scheduledAt: new Date('2030-12-11T02:00:00.000Z'),
  schedule: null,
  quietHours: { mode: 'inherit' },
  batchIntervalMs: 0,
  sendWindowMs: null,
} as unknown as Campaign;

const row = (approvedVersion: Record<string, unknown>) =>
  ({
    workspaceId: 7,
    approvedVersion,
    approvedRound: 1,
    approvedAt: new Date('2026-12-04T10:00:00.000Z'),
  }) as unknown as ReviewRow;

describe('the approved version', () => {
  it('keeps the channel mode the approval covered, and reads back what was stored', () => {
    const version = approvedVersionOf(row(approvedSnapshot(campaign)));
    expect(version).toMatchObject({
      channelMode: 'all',
      channelPlan: campaign.channelPlan,
      scheduledAt: campaign.scheduledAt,
      round: 1,
      workspaceId: '7',
    });
  });

  it('reads a snapshot stored before the mode was in it as first-that-reaches, the only mode then', () => {
    const { channelMode: _, ...old } = approvedSnapshot(campaign);
    expect(approvedVersionOf(row(old))?.channelMode).toBe('first');
  });
});
