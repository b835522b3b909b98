import type { Content } from '../domain/content.js';
import { fillSmsTemplate, findSmsTemplate, parseSmsTemplateParams } from '../domain/sms-template.js';
import type { ChannelLimits } from '../plugins/channel.js';

/** What a price is counted per: each message, or each billed SMS segment. */
export const priceUnits = ['message', 'segment'] as const;
export type PriceUnit = (typeof priceUnits)[number];

/**
 * What one channel (or one sender account of it) costs, as a workspace configures it: SMS per
 * segment (¥0.045), template messages per message (¥0.01 = ¥10 per thousand), free channels 0.
 */
export interface ChannelPrice {
  channel: string;
  /** One sender account; null: every account of the channel without a price of its own. */
  account: string | null;
  unit: PriceUnit;
  /** Per unit, in `currency`, at most 6 decimals. */
  amount: number;
  /** ISO 4217, e.g. CNY. */
  currency: string;
}

/** The price of a channel's account: the account's own, else the channel's; undefined when none is set. */
export function priceFor(
  prices: readonly ChannelPrice[],
  channel: string,
  account: string | null,
): ChannelPrice | undefined {
  return (
    (account === null ? undefined : prices.find((p) => p.channel === channel && p.account === account)) ??
    prices.find((p) => p.channel === channel && p.account === null)
  );
}

/** Characters of a one-segment SMS, as Chinese carriers bill it (sign name included). */
export const SMS_SINGLE_SEGMENT = 70;
/** Characters a segment of a longer (concatenated) SMS carries. */
export const SMS_LONG_SEGMENT = 67;

/**
 * Segments an SMS of `length` characters is billed as: one up to 70, else one per 67. Aliyun
 * and Tencent Cloud both count every character (Chinese, letter, digit, punctuation, space) as one.
 */
export function smsSegments(length: number): number {
  if (length <= 0) return 0;
  return length <= SMS_SINGLE_SEGMENT ? 1 : Math.ceil(length / SMS_LONG_SEGMENT);
}

/**
 * Billed units of one message of `content` on a channel: 1 off SMS; on an SMS channel the
 * segments of `【sign】` + the template filled with the variant's values as written (a
 * placeholder's rendered value may make one recipient's message longer).
 */
export function segmentsOf(content: Content, limits: ChannelLimits): number {
  const sms = limits.sms;
  if (!sms) return 1;
  const template = content.subject === undefined ? undefined : findSmsTemplate(sms, content.subject);
  const params = parseSmsTemplateParams(content.text);
  const text =
    template?.text !== undefined && typeof params !== 'string'
      ? fillSmsTemplate(template.text, params)
      : content.text;
  return Math.max(1, smsSegments([...`【${sms.signName}】${text}`].length));
}

/** `units` at `price`, rounded to 6 decimals (amounts are kept exact to a millionth). */
export function costOf(price: ChannelPrice, messages: number, segmentsEach: number): number {
  const units = price.unit === 'segment' ? messages * segmentsEach : messages;
  return roundAmount(units * price.amount);
}

export function roundAmount(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
