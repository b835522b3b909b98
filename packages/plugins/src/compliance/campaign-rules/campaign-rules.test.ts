import type { CampaignFacts } from '@qunfa/core';
import { makeCampaign } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { audienceSize } from './audience-size.js';
import { officialAccountFrequency } from './official-account-frequency.js';
import { wechatPersonalSends } from './wechat-personal-sends.js';

const now = new Date('2024-05-15T04:00:00Z'); // 12:00 in Shanghai
const facts = (n: number): CampaignFacts & { since: Date[] } => {
  const since: Date[] = [];
  return {
    since,
    massSendsSince: async (q) => {
      since.push(q.since);
      return n;
    },
  };
};
const on = (channel: string) => makeCampaign({ id: '1', channelPlan: [{ channel }] });

describe('campaign rules', () => {
  it('audience over 500 needs approval', () => {
    const rule = audienceSize();
    expect(rule.checkCampaign?.(on('channel:sms'), { audienceSize: 500, now })).toEqual([]);
    expect(rule.checkCampaign?.(on('channel:sms'), { audienceSize: 501, now })).toMatchObject([
      { level: 'warn', code: 'AUDIENCE_NEEDS_APPROVAL' },
    ]);
  });

  it('a personal WeChat account makes 5 mass sends a day', async () => {
    const four = facts(4);
    const rule = wechatPersonalSends({ facts: four });
    const c = on('channel:wechat-personal');
    expect(await rule.checkCampaign?.(c, { audienceSize: 200, now })).toEqual([]);
    expect(await rule.checkCampaign?.(c, { audienceSize: 201, now })).toMatchObject([
      { level: 'revise', code: 'WECHAT_PERSONAL_DAILY_SENDS', channel: 'channel:wechat-personal' },
    ]);
    expect(four.since[0]).toEqual(new Date('2024-05-14T16:00:00Z'));
    expect(
      await wechatPersonalSends({ facts: four, accounts: 2 }).checkCampaign?.(c, { audienceSize: 400, now }),
    ).toEqual([]);
    expect(await rule.checkCampaign?.(on('channel:sms'), { audienceSize: 10_000, now })).toEqual([]);
  });

  it('a subscription account mass-sends once a day; a service account 4 times a month per user', async () => {
    const c = on('channel:wechat-oa');
    expect(
      await officialAccountFrequency({ facts: facts(0) }).checkCampaign?.(c, { audienceSize: 1, now }),
    ).toEqual([]);
    expect(
      await officialAccountFrequency({ facts: facts(1) }).checkCampaign?.(c, { audienceSize: 1, now }),
    ).toMatchObject([{ level: 'block', code: 'OA_DAILY_MASS_SEND_USED' }]);
    const monthly = facts(4);
    expect(
      await officialAccountFrequency({ facts: monthly, accountType: 'service' }).checkCampaign?.(c, {
        audienceSize: 1,
        now,
      }),
    ).toMatchObject([{ level: 'warn', code: 'OA_MONTHLY_CAP' }]);
    expect(monthly.since[0]).toEqual(new Date('2024-04-30T16:00:00Z'));
  });
});
