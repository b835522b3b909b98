import { describe, expect, it } from 'vitest';
import { channelContent } from './channel-content.js';
import { links } from './links.js';
import { sensitiveWords } from './sensitive-words.js';

/** Ordinary marketing copy that must pass every shipped lexicon without a finding. */
const cleanCopy = [
  '双十一促销提前开启，全场满300减50，活动时间11月1日至11月11日。',
  '会员日当天积分翻倍，到店出示会员码即可享受九折优惠。',
  '亲爱的{{name}}，您的订单已发货，预计三天内送达，请注意查收。',
  '新品上市：秋冬羊绒系列到店，欢迎来门店试穿。',
  '感谢您第一次光临本店，下次消费可使用随单附赠的20元优惠券。',
  '本周六下午两点，瑜伽课程在三楼教室开课，名额有限，请提前预约。',
  '您的会员积分将于本月底清零，请尽快在积分商城兑换礼品。',
  '春节期间物流暂停，1月28日起恢复发货，给您带来不便敬请谅解。',
  '欢迎参加，微信扫码即可报名本次读书会。',
  '确保本次活动顺利进行，请携带身份证件入场。',
  '您刚兑换的优惠券已放入卡包，有效期30天。',
  '今日赚取的积分可以在明天使用。',
  '会员专享：生日当月到店消费可领取精美蛋糕一份。',
  '门店地址：北京市朝阳区建国路88号，营业时间10:00-22:00。',
  '最佳赏味期为开封后七天，请冷藏保存。',
  '第一步：打开小程序；第一时间了解新品动态。',
  '参加群众文化节的朋友请在入口处签到。',
  '夏季清凉特惠，冰淇淋第二份半价。',
  '温馨提示：台风天气请减少外出，注意安全。',
  '您预约的体检时间为周三上午九点，请空腹前往。',
  'New arrivals are in: our spring collection is now in store and online.',
  'Join us for Member Day: double points on every purchase this Saturday.',
  'Your class schedule for next week is attached; the assessment is on Friday.',
  'Our Scunthorpe and Sussex stores open at 9 am on Bank Holiday Monday.',
  'Thanks for your order! It ships within two business days.',
  'Essex customers: the Middlesex warehouse sale starts this weekend.',
  'Analysis of your shopping habits helps us recommend better products.',
  'Hello {{name}}, your cocktail class starts at 7 pm tonight.',
  'Grab a glass of lemonade and enjoy the summer sale, up to 30% off.',
  'We have an assistant manager position open at our Manchester store.',
  'Classic shell suits are back, in sizes XS to XXL.',
  'He said he’ll pass by the shop tomorrow to pick up the parcel.',
  'The therapist will see you at 3 pm; please arrive ten minutes early.',
  'Cumberland sausages and Dickensian Christmas decorations are on sale.',
  'Visit https://shop.example.com/spring for the full lookbook.',
  'Send an US$ 5 voucher to a friend and both of you save.',
  '我们的Wi-Fi密码是 happy2024，欢迎到店体验VIP休息室。',
  'vivo新机到店，欢迎体验，加购配件享八折。',
];

describe('clean marketing copy', () => {
  const rules = [sensitiveWords(), links()];
  const ctx = { channels: ['channel:sms', 'channel:wecom'] };

  it.each(cleanCopy)('passes: %s', (text) => {
    const findings = rules.flatMap((rule) => rule.checkContent!({ type: 'text', text }, ctx) as never[]);
    expect(findings).toEqual([]);
  });

  it('has at least 30 lines', () => {
    expect(cleanCopy.length).toBeGreaterThanOrEqual(30);
  });

  it('passes channel limits when within them', () => {
    const rule = channelContent();
    const findings = rule.checkContent!(
      { type: 'text', text: cleanCopy[0]! },
      {
        channels: ['channel:sms'],
        channelLimits: {
          'channel:sms': {
            maxRecipientsPerSend: 200,
            contentTypes: ['text'],
            maxTextLength: 500,
            receipts: true,
            recall: false,
            idempotencyKeys: false,
          },
        },
      },
    );
    expect(findings).toEqual([]);
  });
});
