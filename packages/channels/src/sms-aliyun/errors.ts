import type { FailureClass } from '@qunfa/core';
import { msUntilChinaMidnight } from '../sms/china-time.js';

/** A call Aliyun answered with a `Code` other than `OK` (HTTP 200 with a business code, or a 4xx/5xx). */
export class AliyunSmsError extends Error {
  override readonly name = 'AliyunSmsError';
  constructor(
    readonly code: string,
    /** Aliyun's message; may name a window (`触发小时级流控Permits:5`). Never carries a phone number. */
    readonly providerMessage: string,
    readonly httpStatus: number,
  ) {
    super(`Aliyun ${code}: ${providerMessage.replace(/\d{7,}/g, '<number>').slice(0, 120)}`);
  }
}

/**
 * The call may have reached Aliyun and been processed (read timeout, connection reset after the
 * request was written): it must be reconciled with `QuerySendDetails` before anything is re-sent.
 */
export class AliyunSmsAmbiguousError extends Error {
  override readonly name = 'AliyunSmsAmbiguousError';
}

/** The call certainly did not reach Aliyun (connection refused, DNS): safe to try elsewhere. */
export class AliyunSmsUnreachableError extends Error {
  override readonly name = 'AliyunSmsUnreachableError';
}

export interface ClassifiedFailure {
  failure: FailureClass;
  error: string;
  retryAfterMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** API error codes (API错误码), by what the engine should do with the recipients of the call. */
const codes: Record<string, FailureClass> = {
  // The number.
  'isv.MOBILE_NUMBER_ILLEGAL': 'invalid_recipient',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED': 'invalid_recipient',
  'isv.BLACK_KEY_CONTROL_LIMIT': 'blocked_by_user',
  // The content: sign, template, parameters.
  'isv.SMS_CONTENT_ILLEGAL': 'content_rejected',
  'isv.SMS_SIGNATURE_ILLEGAL': 'content_rejected',
  'isv.SMS_SIGN_ILLEGAL': 'content_rejected',
  'isv.SIGN_STATE_ILLEGAL': 'content_rejected',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL': 'content_rejected',
  'isv.SMS_TEMPLATE_ILLEGAL': 'content_rejected',
  'isv.TEMPLATE_MISSING_PARAMETERS': 'content_rejected',
  'isv.TEMPLATE_PARAMS_ILLEGAL': 'content_rejected',
  'isv.INVALID_JSON_PARAM': 'content_rejected',
  'isv.PARAM_LENGTH_LIMIT': 'content_rejected',
  'isv.PARAM_NOT_SUPPORT_URL': 'content_rejected',
  'isv.INVALID_PARAMETERS': 'content_rejected',
  'isv.EXTEND_CODE_ERROR': 'content_rejected',
  // The account: balance, subscription, credentials, permissions, region.
  'isv.OUT_OF_SERVICE': 'account_restricted',
  'isv.AMOUNT_NOT_ENOUGH': 'account_restricted',
  'isv.PRODUCT_UN_SUBSCRIPT': 'account_restricted',
  'isv.PRODUCT_UNSUBSCRIBE': 'account_restricted',
  'isv.ACCOUNT_NOT_EXISTS': 'account_restricted',
  'isv.ACCOUNT_ABNORMAL': 'account_restricted',
  'isv.DENY_IP_RANGE': 'account_restricted',
  'isp.RAM_PERMISSION_DENY': 'account_restricted',
  'InvalidAccessKeyId.NotFound': 'account_restricted',
  'InvalidAccessKeyId.Inactive': 'account_restricted',
  SignatureDoesNotMatch: 'account_restricted',
  IncompleteSignature: 'account_restricted',
  Forbidden: 'account_restricted',
  // Aliyun's own trouble.
  'isp.SYSTEM_ERROR': 'network',
  'isp.GATEWAY_ERROR': 'network',
  ServiceUnavailable: 'network',
  InternalError: 'network',
};

/**
 * `isv.BUSINESS_LIMIT_CONTROL` is a per-number limit (by default a verification code 1 a
 * minute, 5 an hour, 10 a day; a notice 50 a day per sign and template). Its message names the
 * window (`触发分钟级流控`, `触发小时级流控`, `触发天级流控`); the number waits that long.
 */
export function businessLimitWait(providerMessage: string, now: Date): number {
  if (/分钟/.test(providerMessage) || /minute/i.test(providerMessage)) return MINUTE;
  if (/小时/.test(providerMessage) || /hour/i.test(providerMessage)) return HOUR;
  return msUntilChinaMidnight(now);
}

function untilNextChinaMonth(now: Date): number {
  const china = new Date(now.getTime() + 8 * HOUR);
  const next = Date.UTC(china.getUTCFullYear(), china.getUTCMonth() + 1, 1) - 8 * HOUR;
  return next - now.getTime();
}

/** What an Aliyun error means for the recipients of the call. */
export function classifyAliyunError(error: unknown, now: Date): ClassifiedFailure {
  if (error instanceof AliyunSmsUnreachableError || error instanceof AliyunSmsAmbiguousError)
    return { failure: 'network', error: error.message };
  if (!(error instanceof AliyunSmsError))
    return { failure: 'unknown', error: error instanceof Error ? error.name : 'unknown error' };
  const message = error.message;
  switch (error.code) {
    case 'isv.BUSINESS_LIMIT_CONTROL':
      return {
        failure: 'rate_limited',
        error: message,
        retryAfterMs: businessLimitWait(error.providerMessage, now),
      };
    case 'isv.DAY_LIMIT_CONTROL':
      return { failure: 'rate_limited', error: message, retryAfterMs: msUntilChinaMidnight(now) };
    case 'isv.MONTH_LIMIT_CONTROL':
      return { failure: 'rate_limited', error: message, retryAfterMs: untilNextChinaMonth(now) };
  }
  if (error.code.startsWith('Throttling'))
    return { failure: 'rate_limited', error: message, retryAfterMs: 1_000 };
  const known = codes[error.code];
  if (known) return { failure: known, error: message };
  if (error.httpStatus >= 500) return { failure: 'network', error: message };
  return { failure: 'unknown', error: message };
}
