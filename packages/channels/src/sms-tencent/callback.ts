import { type CallbackContext, type CallbackRequest, type CallbackResult, QunfaError } from '@qunfa/core';
import { parseChinaTime } from '../sms/china-time.js';
import { sameSecret } from '../sms/secret.js';
import type { SmsTencentConfig } from './options.js';
import { receiptEvent, replyMessage } from './receipts.js';

/** The documented answer to both callbacks. */
const ANSWER = {
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ result: 0, errmsg: 'OK' }),
};

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new QunfaError('INVALID_INPUT', 'the callback is not JSON');
  }
}

/**
 * The status callback (`/status`, an array of receipts keyed by `sid` = SerialNo) and the reply
 * callback (`/reply`, one reply). Tencent Cloud signs neither: the URL carries
 * `token=<callbackToken>`, checked in constant time before the body is read.
 */
export async function handleTencentCallback(
  config: SmsTencentConfig,
  request: CallbackRequest,
  ctx: CallbackContext,
): Promise<CallbackResult | undefined> {
  const kind = request.path === '/status' ? 'status' : request.path === '/reply' ? 'reply' : undefined;
  if (!kind) return undefined;
  if (!config.callbackToken)
    throw new QunfaError('FORBIDDEN', 'Tencent Cloud callbacks are not configured (no callbackToken)', {
      plugin: config.name,
    });
  if (!sameSecret(request.query.token, config.callbackToken))
    throw new QunfaError('UNAUTHENTICATED', 'the callback does not carry the callback token', {
      plugin: config.name,
    });
  const body = parseJson(request.body);
  if (kind === 'status') {
    const items = Array.isArray(body) ? body : [body];
    const events = items.flatMap((raw) => {
      const item = (raw ?? {}) as Record<string, unknown>;
      const sid = str(item.sid);
      if (sid === '') return [];
      return [
        receiptEvent({
          sid,
          success: str(item.report_status) === 'SUCCESS',
          code: str(item.errmsg),
          description: str(item.description),
          at: parseChinaTime(str(item.user_receive_time)) ?? ctx.now(),
        }),
      ];
    });
    return { events, response: ANSWER };
  }
  const item = (body ?? {}) as Record<string, unknown>;
  const nation = str(item.nationcode) || '86';
  const message = replyMessage({
    phone: `+${nation}${str(item.mobile)}`,
    text: str(item.text),
    unixTime: Number(item.time) || Math.floor(ctx.now().getTime() / 1000),
    sign: str(item.sign),
  });
  return { inbound: message ? [message] : [], response: ANSWER };
}
