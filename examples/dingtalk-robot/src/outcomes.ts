import type { FailureClass } from '@qunfa/core';

/** DingTalk's answer to a webhook call. */
export interface RobotResponse {
  errcode: number;
  errmsg: string;
}

export type RobotVerdict =
  | { ok: true }
  | { ok: false; failure: FailureClass; error: string; retryAfterMs?: number };

/**
 * Maps DingTalk's error codes to Qunfa's failure classes: 130101 "send too fast" is a rate
 * limit; 310000 is a security setting refusing the call — a missing keyword is the content's
 * fault, a bad signature or IP the robot's configuration; 300001 an unknown access token.
 */
export function verdictOf(response: RobotResponse, throttledForMs: number): RobotVerdict {
  const { errcode, errmsg } = response;
  if (errcode === 0) return { ok: true };
  const error = `DingTalk ${errcode}: ${errmsg}`;
  if (errcode === 130101) return { ok: false, failure: 'rate_limited', error, retryAfterMs: throttledForMs };
  if (errcode === 310000 && /keyword/i.test(errmsg)) return { ok: false, failure: 'content_rejected', error };
  if (errcode === 310000 || errcode === 300001 || errcode === 400013) {
    return { ok: false, failure: 'account_restricted', error };
  }
  return { ok: false, failure: 'unknown', error };
}
