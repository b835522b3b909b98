/*
 * The requests of each leg, as providers and partners send them: Aliyun SmsReport pushes
 * (receipts), tracked-link clicks, Aliyun SmsUp pushes and GraphQL `recordInboundMessage`
 * (replies). Which deliveries fail, get clicked or reply is a function of their position, so
 * that the final checks can recompute what the counters must say.
 */
import type { LinkTokens } from '@qunfa/api/src/links/link-token.js';
import { CALLBACK_TOKEN, SIGN_NAME } from './bench-api.js';
import type { SmsRecord } from './send-campaign.js';

export interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect: number;
  mustNotContain?: string;
  /** Events this request carries. */
  events: number;
}

/** Most replies are noise or short answers, few complaints. */
const texts: [string, number][] = [
  ['请问会员怎么办理？', 20],
  ['好的收到', 20],
  ['😀😀', 15],
  ['很感兴趣，想了解一下', 10],
  ['不需要，谢谢', 15],
  ['你们一直发短信骚扰我，我要投诉', 5],
  ['TD', 5],
  ['这个活动几号结束', 10],
];
const pick = (i: number) => {
  let n = i % 100;
  for (const [text, weight] of texts) {
    if (n < weight) return text;
    n -= weight;
  }
  return texts[0]![0];
};
const chinaTime = (d: Date) =>
  new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
const national = (e164: string) => e164.slice(3);

/** One receipt in ten is a failure, by its position in the leg. */
export const failedReceipt = (i: number) => i % 10 === 9;

export function receiptPushes(recs: SmsRecord[], receiptBatch: number): Req[] {
  const out: Req[] = [];
  for (let i = 0; i < recs.length; i += receiptBatch) {
    const items = recs.slice(i, i + receiptBatch).map((r, j) => ({
      phone_number: r.phone,
      send_time: chinaTime(r.at),
      report_time: chinaTime(new Date(r.at.getTime() + 3000)),
      success: !failedReceipt(i + j),
      err_code: failedReceipt(i + j) ? 'MOBILE_NOT_ON_SERVICE' : 'DELIVERED',
      err_msg: failedReceipt(i + j) ? '停机' : '用户接收成功',
      sms_size: '1',
      biz_id: r.bizId,
      out_id: r.outId,
    }));
    out.push({
      method: 'POST',
      path: `/callbacks/sms-aliyun/report?token=${CALLBACK_TOKEN}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(items),
      expect: 200,
      events: items.length,
    });
  }
  return out;
}

/** Every third delivery is clicked, of those delivered (a failed one's state then does not depend on the order). */
export const clicked = (recs: SmsRecord[]) => recs.filter((_, i) => i % 3 === 0 && !failedReceipt(i));

export function clicks(recs: SmsRecord[], deliveryOf: Map<string, string>, tokens: LinkTokens): Req[] {
  return clicked(recs).map((r) => {
    const deliveryId = deliveryOf.get(`+86${r.phone}`);
    if (!deliveryId) throw new Error(`no delivery to ${r.phone}`);
    return {
      method: 'GET',
      path: `/l/${tokens.sign({ deliveryId, link: 0 })}`,
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone)' },
      expect: 302,
      events: 1,
    };
  });
}

/** Every second contact replies once. */
export const repliers = (recs: SmsRecord[]) => recs.filter((_, i) => i % 2 === 0);

/**
 * Replies by SmsUp push or over GraphQL (with `key`). SmsUp pushes are numbered in the order they
 * are made: `restartSequence` before a replay, so that it carries the same sequence ids.
 */
export function createReplies(key: string) {
  let sequence = 0;
  const replyReq = (r: SmsRecord, i: number, via: 'up' | 'graphql', prefix: string): Req => {
    const text = pick(i);
    if (via === 'up') {
      return {
        method: 'POST',
        path: `/callbacks/sms-aliyun/up?token=${CALLBACK_TOKEN}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            phone_number: national(`+86${r.phone}`),
            send_time: chinaTime(new Date()),
            content: text,
            sign_name: SIGN_NAME,
            dest_code: '1234',
            sequence_id: ++sequence,
          },
        ]),
        expect: 200,
        events: 1,
      };
    }
    return {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: 'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { duplicate } }',
        variables: {
          i: {
            fromKind: 'PHONE',
            fromValue: `+86${r.phone}`,
            text,
            providerMessageId: `${prefix}-${r.phone}`,
          },
        },
      }),
      expect: 200,
      mustNotContain: '"errors"',
      events: 1,
    };
  };
  return {
    replies: (recs: SmsRecord[], via: 'up' | 'graphql', prefix = 'bench'): Req[] =>
      repliers(recs).map((r, i) => replyReq(r, i, via, prefix)),
    restartSequence() {
      sequence = 0;
    },
  };
}
