import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/resources.js';
import { type CampaignVersion, versionChanges, type Wording } from './version-changes.js';

const approved: CampaignVersion = {
  audience: { and: [{ or: [{ tag: '1' }, { tag: '2' }] }, { not: { tag: '3' } }] },
  excludeDormant: false,
  segment: null,
  variants: [{ key: 'A', content: { subject: null, text: '会员日全场 5 折' }, channelContent: [] }],
  channelMode: 'FIRST',
  channelPlan: [{ channel: 'channel:wecom', failover: [], escalateAfterMs: null, escalateUnless: null }],
  scheduledAt: null,
  schedule: null,
  quietHours: { mode: 'INHERIT', enabled: true, start: '22:00', end: '08:00' },
  batchIntervalMs: 0,
  sendWindowMs: null,
};

function wording(locale: 'zh-CN' | 'en'): Wording {
  const i18n = createI18n(locale);
  const tags: Record<string, string> = { '1': 'VIP', '2': '老客', '3': '已投诉' };
  return {
    t: (key: MessageKey, vars) => i18n.t(key, vars ?? {}),
    tx: (key, fallback) => (i18n.exists(key) ? i18n.t(key) : fallback),
    tagName: (id) => tags[id] ?? id,
    dateTime: (iso) => iso.slice(0, 16),
  };
}

describe('versionChanges', () => {
  it('finds nothing when the version under review is the approved one', () => {
    expect(versionChanges(approved, approved, wording('zh-CN'))).toEqual([]);
  });

  it('lists content, audience, channels and schedule changes in that order, worded per language', () => {
    const current: CampaignVersion = {
      ...approved,
      audience: { and: [{ tag: '1' }, { not: { tag: '3' } }] },
      variants: [
        {
          key: 'A',
          content: { subject: null, text: '会员日全场 6 折' },
          channelContent: [{ channel: 'channel:sms', content: { subject: null, text: '【店】6 折' } }],
        },
      ],
      channelPlan: [
        ...approved.channelPlan.map((s) => ({ ...s, escalateAfterMs: 1_800_000, escalateUnless: 'READ' })),
        {
          channel: 'channel:sms',
          failover: ['channel:sms-tencent'],
          escalateAfterMs: null,
          escalateUnless: null,
        },
      ],
      scheduledAt: '2026-12-12T02:00:00.000Z',
    };
    const zh = versionChanges(approved, current, wording('zh-CN'));
    expect(zh.map((c) => [c.part, c.key, c.before, c.after])).toEqual([
      ['content', 'variant:A:*', '会员日全场 5 折', '会员日全场 6 折'],
      ['content', 'variant:A:channel:sms', null, '【店】6 折'],
      ['audience', 'rule', 'VIP 或 老客 且 排除 已投诉', 'VIP 且 排除 已投诉'],
      ['channels', 'plan', 'channel:wecom', 'channel:wecom → channel:sms'],
      [
        'channels',
        'step:channel:wecom',
        'channel:wecom',
        'channel:wecom (30 分钟内无「已读」回执则转下一渠道)',
      ],
      ['channels', 'step:channel:sms', null, 'channel:sms (备用服务商：channel:sms-tencent)'],
      ['schedule', 'when', '立即（批准后开始）', '定时 2026-12-12T02:00'],
    ]);
    expect(zh[0]).toMatchObject({ label: '版本 A', text: true });
    const en = versionChanges(approved, current, wording('en'));
    expect(en.find((c) => c.key === 'rule')).toMatchObject({
      label: 'Rules',
      before: 'VIP or 老客 and not 已投诉',
      after: 'VIP and not 已投诉',
    });
  });

  it('shows a switch to all channels, in both languages', () => {
    const all: CampaignVersion = { ...approved, channelMode: 'ALL' };
    expect(versionChanges(approved, all, wording('zh-CN'))).toMatchObject([
      { part: 'channels', key: 'mode', label: '渠道模式', before: '首个可达渠道', after: '全部渠道' },
    ]);
    expect(versionChanges(approved, all, wording('en'))).toMatchObject([
      { label: 'Channel mode', before: 'First that reaches', after: 'All channels' },
    ]);
  });

  it('reports a removed variant with nothing after it', () => {
    const twoVariants: CampaignVersion = {
      ...approved,
      variants: [
        ...approved.variants,
        { key: 'B', content: { subject: '标题', text: 'B 文案' }, channelContent: [] },
      ],
    };
    const changes = versionChanges(twoVariants, approved, wording('en'));
    expect(changes.map((c) => [c.key, c.label, c.before, c.after])).toEqual([
      ['variant:B:*:subject', 'Variant B · Email subject', '标题', null],
      ['variant:B:*', 'Variant B', 'B 文案', null],
    ]);
  });
});
