import { createHash } from 'node:crypto';
import type { DeliveryEvent, FailureClass, InboundMessage } from '@qunfa/core';
import { normalisePhone } from '../sms/phone.js';

/** Receipt error codes (回执状态错误码) that say the number cannot receive or refuses; others `unknown`. */
const receiptClasses: Record<string, FailureClass> = {
  'MK:0001': 'invalid_recipient',
  'MK:0005': 'invalid_recipient',
  'IC:0001': 'invalid_recipient',
  EMPTY: 'invalid_recipient',
  UNDELIV: 'invalid_recipient',
  BLACK: 'blocked_by_user',
  'MK:0008': 'blocked_by_user',
};

/** A receipt (callback or pull) as a delivery event keyed by SerialNo. */
export function receiptEvent(r: {
  sid: string;
  success: boolean;
  code: string;
  description: string;
  at: Date;
}): DeliveryEvent {
  if (r.success) return { providerMessageId: r.sid, state: 'delivered', at: r.at };
  return {
    providerMessageId: r.sid,
    state: 'failed',
    at: r.at,
    failure: receiptClasses[r.code] ?? 'unknown',
    error: `Tencent Cloud receipt ${r.code || 'FAIL'}${r.description ? `: ${r.description.slice(0, 80)}` : ''}`,
  };
}

/** A reply (callback or pull) as an inbound message; its id is stable across replays and both paths. */
export function replyMessage(r: {
  phone: string;
  text: string;
  unixTime: number;
  sign: string;
}): InboundMessage | undefined {
  const phone = normalisePhone(r.phone);
  if (!phone) return undefined;
  const digest = createHash('sha256').update(r.text).digest('hex').slice(0, 12);
  return {
    providerMessageId: `reply:${phone.e164}:${r.unixTime}:${digest}`,
    from: { kind: 'phone', value: phone.e164 },
    account: r.sign || null,
    at: new Date(r.unixTime * 1000),
    text: r.text,
  };
}
