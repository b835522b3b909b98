import type { FailureClass } from '@qunfa/core';
import { msUntilChinaMidnight } from '../sms/china-time.js';

/** A call Tencent Cloud answered with `Response.Error` (its `Code`). */
export class TencentSmsError extends Error {
  override readonly name = 'TencentSmsError';
  constructor(
    readonly code: string,
    providerMessage: string,
  ) {
    super(`Tencent Cloud ${code}: ${providerMessage.replace(/\d{7,}/g, '<number>').slice(0, 120)}`);
  }
}

/** The call may have been processed (timeout, reset): Tencent has no idempotency key, so it is not repeated. */
export class TencentSmsAmbiguousError extends Error {
  override readonly name = 'TencentSmsAmbiguousError';
}

/** The call did not reach Tencent Cloud, or was turned away before processing (refused, 5xx). */
export class TencentSmsUnavailableError extends Error {
  override readonly name = 'TencentSmsUnavailableError';
}

export interface ClassifiedFailure {
  failure: FailureClass;
  error: string;
  retryAfterMs?: number;
}

const MINUTE = 60_000;

/** Per-number business limits: `rate_limited` for the number, for the documented window. Never a failover. */
function numberLimitWait(code: string, now: Date): number | undefined {
  switch (code) {
    case 'LimitExceeded.PhoneNumberThirtySecondLimit':
      return 30_000;
    case 'LimitExceeded.PhoneNumberOneHourLimit':
      return 60 * MINUTE;
    case 'LimitExceeded.PhoneNumberDailyLimit':
    case 'LimitExceeded.PhoneNumberSameContentDailyLimit':
    case 'LimitExceeded.AppDailyLimit':
    case 'LimitExceeded.DailyLimit':
      return msUntilChinaMidnight(now);
    case 'LimitExceeded.DeliveryFrequencyLimit':
      return MINUTE;
    case 'RequestLimitExceeded':
      return 1_000;
    default:
      return undefined;
  }
}

/** Error codes (错误码) of SendSms, per number (`SendStatusSet[].Code`) or for the call (`Error.Code`). */
const codes: Record<string, FailureClass> = {
  'InvalidParameterValue.IncorrectPhoneNumber': 'invalid_recipient',
  'FailedOperation.PhoneNumberInBlacklist': 'blocked_by_user',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber': 'invalid_recipient',
  'UnsupportedOperation.UnsupportedRegion': 'invalid_recipient',
  'FailedOperation.ContainSensitiveWord': 'content_rejected',
  'FailedOperation.TemplateIncorrectOrUnapproved': 'content_rejected',
  'FailedOperation.SignatureIncorrectOrUnapproved': 'content_rejected',
  'FailedOperation.MarketingSendTimeConstraint': 'content_rejected',
  'InvalidParameterValue.ContentLengthLimit': 'content_rejected',
  'InvalidParameterValue.TemplateParameterFormatError': 'content_rejected',
  'InvalidParameterValue.TemplateParameterLengthLimit': 'content_rejected',
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': 'content_rejected',
  'MissingParameter.EmptyPhoneNumberSet': 'content_rejected',
  'FailedOperation.InsufficientBalanceInSmsPackage': 'account_restricted',
  'FailedOperation.JsonParseFail': 'unknown',
  'UnauthorizedOperation.SmsSdkAppIdVerifyFail': 'account_restricted',
  'UnauthorizedOperation.RequestPermissionDeny': 'account_restricted',
  'UnauthorizedOperation.RequestIpNotInWhitelist': 'account_restricted',
  'UnauthorizedOperation.ServiceSuspendDueToArrears': 'account_restricted',
  'UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny': 'account_restricted',
  'InvalidParameterValue.SdkAppIdNotExist': 'account_restricted',
  AuthFailure: 'account_restricted',
  'AuthFailure.SignatureFailure': 'account_restricted',
  'AuthFailure.SecretIdNotFound': 'account_restricted',
  'InternalError.Timeout': 'network',
  'InternalError.OtherError': 'network',
  'InternalError.SendAndRecvFail': 'network',
  'InternalError.RequestTimeException': 'network',
  InternalError: 'network',
};

/** What a code means for its number (or, for the call's error, for every number of the call). */
export function classifyTencentCode(code: string, message: string, now: Date): ClassifiedFailure {
  const error = `Tencent Cloud ${code}: ${message.replace(/\d{7,}/g, '<number>').slice(0, 120)}`;
  const wait = numberLimitWait(code, now);
  if (wait !== undefined) return { failure: 'rate_limited', error, retryAfterMs: wait };
  const known = codes[code] ?? (code.startsWith('InternalError') ? 'network' : undefined);
  return { failure: known ?? 'unknown', error };
}

export function classifyTencentError(error: unknown, now: Date): ClassifiedFailure {
  if (error instanceof TencentSmsError)
    return classifyTencentCode(error.code, error.message.replace(/^[^:]*: /, ''), now);
  if (error instanceof TencentSmsUnavailableError) return { failure: 'network', error: error.message };
  return { failure: 'unknown', error: error instanceof Error ? error.name : 'unknown error' };
}
