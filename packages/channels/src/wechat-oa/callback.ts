import { createHash } from 'node:crypto';
import {
  type CallbackContext,
  type CallbackRequest,
  type CallbackResult,
  type DeliveryEvent,
  QunfaError,
  type ReachChange,
} from '@qunfa/core';
import { jobEvents, recordVerdict } from './confirmations.js';
import { decryptMessage, signature, signatureMatches } from './crypto.js';
import { inboundOf } from './inbound.js';
import { jobOutcome, noticeOutcome } from './job-status.js';
import { jobOf, settleJobs } from './jobs.js';
import type { WechatOaConfig } from './options.js';
import { child, list, parseWechatXml, text, type XmlObject } from './xml.js';

/** WeChat retries a push it got no answer to within seconds; a nonce is remembered this long. */
const NONCE_TTL_MS = 10 * 60 * 1000;
/** A job's totals are what a campaign shows of it: kept a year (one small value a job). */
const TOTALS_TTL_MS = 366 * 24 * 3600 * 1000;

const refuse = (plugin: string, why: string) =>
  new QunfaError('UNAUTHENTICATED', `callback refused: ${why}`, { plugin });

export const totalsKey = (msgId: string) => `job-totals/${msgId}`;

/** WeChat's job totals of one mass send, kept as reported: never spread over the recipients. */
export interface OaJobTotals {
  msgId: string;
  status: string;
  /** Followers of the tag, or openids of the list (`TotalCount`). */
  total: number;
  /**
   * `FilterCount`: the followers left to send to after WeChat's filters (region, refusals, the
   * monthly 4) — not the number filtered out, which is `total - filtered`.
   */
  filtered: number;
  sent: number;
  errors: number;
  at: string;
}

/**
 * The message push (消息推送) of the account: the URL check (GET with `echostr`), then pushed
 * events and messages (POST). `subscribe` / `unsubscribe` (关注/取消关注) become relation changes
 * with the account's AppID: an unfollowed follower is not reachable through it any more. The `signature` is checked on every request, `msg_signature` and
 * the AppID inside the ciphertext in the safe mode (required once an EncodingAESKey is set),
 * and a request too far from now, or a nonce seen before with another body, is refused with
 * nothing written.
 */
export async function handleOaCallback(
  config: WechatOaConfig,
  request: CallbackRequest,
  ctx: CallbackContext,
): Promise<CallbackResult | undefined> {
  if (request.path !== '') return undefined;
  const settings = config.callback;
  if (!settings) throw new QunfaError('FORBIDDEN', 'callbacks are not configured', { plugin: config.name });
  const q = request.query;
  const timestamp = q.timestamp ?? '';
  const nonce = q.nonce ?? '';
  if (!/^\d{1,12}$/.test(timestamp) || nonce === '' || nonce.length > 64)
    throw refuse(config.name, 'no timestamp or nonce');
  if (!signatureMatches(q.signature, signature([settings.token, timestamp, nonce]))) {
    throw refuse(config.name, 'bad signature');
  }
  const skew = Math.abs(ctx.now().getTime() / 1000 - Number(timestamp));
  if (skew > config.callbackMaxSkewSec) throw refuse(config.name, 'timestamp out of range');

  if (request.method === 'GET') {
    const echo = q.echostr;
    if (echo === undefined) throw new QunfaError('INVALID_INPUT', 'no echostr', { plugin: config.name });
    return { response: { body: echo } };
  }

  const outer = parseWechatXml(request.body);
  if (!outer)
    throw new QunfaError('INVALID_INPUT', 'the body is not a WeChat XML push', { plugin: config.name });
  let message: XmlObject | undefined = outer;
  if (settings.encodingAESKey) {
    const encrypted = text(outer, 'Encrypt');
    if (q.encrypt_type !== 'aes' || encrypted === '')
      throw refuse(config.name, 'the safe mode needs an encrypted push');
    if (!signatureMatches(q.msg_signature, signature([settings.token, timestamp, nonce, encrypted]))) {
      throw refuse(config.name, 'bad msg_signature');
    }
    const plain = decryptMessage(settings.encodingAESKey, config.appId, encrypted);
    if (plain === undefined) throw refuse(config.name, 'the push does not decrypt for this account');
    message = parseWechatXml(plain);
    if (!message)
      throw new QunfaError('INVALID_INPUT', 'the decrypted push is not XML', { plugin: config.name });
  }

  // A retry of the same push repeats nonce and body; the same nonce with another body is forged.
  const digest = createHash('sha256').update(request.body).digest('hex');
  const nonceKey = `nonce/${timestamp}/${nonce}`;
  if (!(await ctx.state.setIfAbsent(nonceKey, digest, NONCE_TTL_MS))) {
    if ((await ctx.state.get<string>(nonceKey)) !== digest) throw refuse(config.name, 'replayed nonce');
  }
  return { ...(await readPush(config.appId, message, ctx)), response: { body: 'success' } };
}

async function readPush(
  appId: string,
  message: XmlObject,
  ctx: CallbackContext,
): Promise<Omit<CallbackResult, 'response'>> {
  const at = new Date(Number(text(message, 'CreateTime')) * 1000);
  if (Number.isNaN(at.getTime())) return {};
  if (text(message, 'MsgType') !== 'event') {
    const inbound = inboundOf(message, at);
    return inbound ? { inbound: [inbound] } : {};
  }
  const event = text(message, 'Event');
  if (event === 'subscribe' || event === 'unsubscribe') {
    const openid = text(message, 'FromUserName');
    if (openid === '') return {};
    const change: ReachChange = {
      identity: { kind: 'oa_openid', value: openid },
      account: appId,
      // Unfollowing is the follower's doing: as a WeCom customer deleting the staff member.
      change: event === 'subscribe' ? 'added' : 'removed_by_customer',
      at,
    };
    return { reach: [change] };
  }
  if (event === 'MASSSENDJOBFINISH') return { events: await massJobEvents(message, at, ctx) };
  if (event === 'TEMPLATESENDJOBFINISH') {
    const msgId = text(message, 'MsgID') || text(message, 'MsgId');
    return msgId ? { events: [noticeEvent(msgId, text(message, 'Status'), at)] } : {};
  }
  if (event === 'subscribe_msg_sent_event') {
    const items = list(child(message, 'SubscribeMsgSentEvent'), 'List');
    return {
      events: items
        .filter((i) => text(i, 'MsgID') !== '')
        .map((i) => noticeEvent(text(i, 'MsgID'), text(i, 'ErrorStatus'), at)),
    };
  }
  return {};
}

function noticeEvent(msgId: string, status: string, at: Date): DeliveryEvent {
  const outcome = noticeOutcome(status);
  return 'delivered' in outcome
    ? { providerMessageId: msgId, state: 'delivered', at }
    : { providerMessageId: msgId, state: 'failed', at, failure: outcome.failure, error: outcome.error };
}

/**
 * A finished job: its totals are kept as WeChat gave them; a job WeChat stopped (`err(num)`,
 * `send fail`, a refused or unconfirmed protected send) fails every delivery it carried. A
 * successful job says nothing about any one follower: only a protected job's deliveries move, from
 * awaiting confirmation to sent (the administrator confirmed it), never to delivered.
 */
async function massJobEvents(message: XmlObject, at: Date, ctx: CallbackContext): Promise<DeliveryEvent[]> {
  const msgId = text(message, 'MsgID') || text(message, 'MsgId');
  if (!/^\d{1,20}$/.test(msgId)) return [];
  const status = text(message, 'Status');
  const totals: OaJobTotals = {
    msgId,
    status,
    total: Number(text(message, 'TotalCount')) || 0,
    filtered: Number(text(message, 'FilterCount')) || 0,
    sent: Number(text(message, 'SentCount')) || 0,
    errors: Number(text(message, 'ErrorCount')) || 0,
    at: at.toISOString(),
  };
  await ctx.state.set(totalsKey(msgId), totals, TOTALS_TTL_MS);
  ctx.logger.info('mass send job finished', { ...totals });
  const job = await jobOf(ctx.state, msgId);
  if (!job) return [];
  const outcome = jobOutcome(status);
  if (job.protected) {
    await recordVerdict(ctx.state, job, outcome, ctx.now());
    await settleJobs(ctx.state, [msgId]);
  }
  return jobEvents(job, outcome, at);
}
