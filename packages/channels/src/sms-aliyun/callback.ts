import {
  type CallbackContext,
  type CallbackRequest,
  type CallbackResult,
  type DeliveryEvent,
  type FailureClass,
  type InboundMessage,
  QunfaError,
} from '@qunfa/core';
import { parseChinaTime } from '../sms/china-time.js';
import { normalisePhone } from '../sms/phone.js';
import { sameSecret } from '../sms/secret.js';
import type { SmsAliyunConfig } from './options.js';
import { providerIdOf, reconciledKey } from './reconcile.js';

/** The documented answer to SmsReport and SmsUp: HTTP 200 with a numeric `code`. */
const ANSWER = {
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ code: 0, msg: '接收成功' }),
};

/** Receipt error codes (回执错误码) that say the number cannot receive, or refuses; the rest are `unknown`. */
const receiptClasses: Record<string, FailureClass> = {
  MOBILE_NOT_ON_SERVICE: 'invalid_recipient',
  MOBILE_ACCOUNT_ABNORMAL: 'invalid_recipient',
  MOBILE_NUMBER_ILLEGAL: 'invalid_recipient',
  'IC:0001': 'invalid_recipient',
  'MK:0001': 'invalid_recipient',
  MOBILE_IN_BLACK: 'blocked_by_user',
  USER_REJECT: 'blocked_by_user',
  'MK:0008': 'blocked_by_user',
  CONTENT_KEYWORD: 'content_rejected',
  'IC:0151': 'content_rejected',
};

function parseArray(body: string): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new QunfaError('INVALID_INPUT', 'the push is not JSON');
  }
  if (!Array.isArray(parsed)) throw new QunfaError('INVALID_INPUT', 'the push is not a JSON array');
  return parsed.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

async function reportEvents(
  items: Record<string, unknown>[],
  ctx: CallbackContext,
): Promise<DeliveryEvent[]> {
  const reconciled = new Map<string, boolean>();
  const events: DeliveryEvent[] = [];
  for (const item of items) {
    const phone = normalisePhone(str(item.phone_number))?.national;
    const bizId = str(item.biz_id);
    const outId = str(item.out_id);
    if (!phone || !bizId) continue;
    if (outId !== '' && !reconciled.has(outId))
      reconciled.set(outId, (await ctx.state.get(reconciledKey(outId))) === true);
    const ref = outId !== '' && reconciled.get(outId) ? outId : bizId;
    const at = parseChinaTime(str(item.report_time)) ?? parseChinaTime(str(item.send_time)) ?? ctx.now();
    const success = item.success === true || item.success === 'true';
    const code = str(item.err_code);
    events.push(
      success
        ? { providerMessageId: providerIdOf(ref, phone), state: 'delivered', at }
        : {
            providerMessageId: providerIdOf(ref, phone),
            state: 'failed',
            at,
            failure: receiptClasses[code] ?? 'unknown',
            error: `Aliyun receipt ${code || 'failed'}${str(item.err_msg) ? `: ${str(item.err_msg).slice(0, 80)}` : ''}`,
          },
    );
  }
  return events;
}

function upMessages(items: Record<string, unknown>[], now: Date): InboundMessage[] {
  return items.flatMap((item): InboundMessage[] => {
    const phone = normalisePhone(str(item.phone_number));
    const sequence = str(item.sequence_id);
    if (!phone || sequence === '') return [];
    return [
      {
        providerMessageId: `up:${sequence}`,
        from: { kind: 'phone', value: phone.e164 },
        account: str(item.sign_name) || null,
        at: parseChinaTime(str(item.send_time)) ?? now,
        text: str(item.content),
      },
    ];
  });
}

/**
 * SmsReport (`/report`) and SmsUp (`/up`) in HTTP batch-push mode. Aliyun signs neither, so the
 * receiving URL carries `token=<callbackToken>`, compared in constant time before the body is
 * read; a push without it is refused and changes nothing. Other paths are not ours.
 */
export async function handleAliyunCallback(
  config: SmsAliyunConfig,
  request: CallbackRequest,
  ctx: CallbackContext,
): Promise<CallbackResult | undefined> {
  const kind = request.path === '/report' ? 'report' : request.path === '/up' ? 'up' : undefined;
  if (!kind) return undefined;
  if (!config.callbackToken)
    throw new QunfaError('FORBIDDEN', 'Aliyun pushes are not configured (no callbackToken)', {
      plugin: config.name,
    });
  if (!sameSecret(request.query.token, config.callbackToken))
    throw new QunfaError('UNAUTHENTICATED', 'the push does not carry the callback token', {
      plugin: config.name,
    });
  if (request.method !== 'POST')
    throw new QunfaError('INVALID_INPUT', 'Aliyun pushes are POSTs', { plugin: config.name });
  const items = parseArray(request.body);
  if (kind === 'report') return { events: await reportEvents(items, ctx), response: ANSWER };
  return { inbound: upMessages(items, ctx.now()), response: ANSWER };
}
