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
