import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CallbackContext,
  type CallbackRequest,
  type CallbackResult,
  QunfaError,
  type ReachChange,
} from '@qunfa/core';
import { decrypt, getSignature } from '@wecom/crypto';
import { parseWechatXml, text, type XmlObject } from '../wechat-oa/xml.js';
import { recordChatChange } from './groups.js';
import { inboundOf } from './inbound.js';
import type { WecomConfig } from './options.js';
import { stateRelations } from './relations.js';

/** WeCom retries an unanswered push within seconds; a nonce is remembered past the skew window. */
const NONCE_TTL_MS = 15 * 60_000;

const refuse = (plugin: string, why: string) =>
  new QunfaError('UNAUTHENTICATED', `callback refused: ${why}`, { plugin });

/** Constant-time comparison of the `msg_signature` a request carried with the expected one. */
function signatureMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || !/^[0-9a-f]{40}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'));
}

/** The plaintext for this corp, or undefined (wrong key, bad padding, another corp's receive id). */
function open(config: WecomConfig, encrypted: string): string | undefined {
  try {
    const { message, id } = decrypt(config.callback!.encodingAESKey, encrypted);
    return id === config.corpId ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * WeCom's callbacks (接收消息与事件): the URL check (GET, `echostr` decrypted and echoed), then
 * encrypted pushes (POST). `msg_signature` is checked in constant time before anything is
 * decrypted, the receive id inside must be this corp, the timestamp near now, and a nonce is
 * used once: a replay is answered and dropped. A refused request writes nothing.
 */
export async function handleWecomCallback(
  config: WecomConfig,
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

  let encrypted: string;
  if (request.method === 'GET') encrypted = q.echostr ?? '';
  else {
    const outer = parseWechatXml(request.body);
    if (!outer)
      throw new QunfaError('INVALID_INPUT', 'the body is not a WeCom XML push', { plugin: config.name });
    encrypted = text(outer, 'Encrypt');
  }
  if (encrypted === '') throw refuse(config.name, 'nothing encrypted');
  if (!signatureMatches(q.msg_signature, getSignature(settings.token, timestamp, nonce, encrypted)))
    throw refuse(config.name, 'bad msg_signature');
  const skew = Math.abs(ctx.now().getTime() / 1000 - Number(timestamp));
  if (skew > config.callbackMaxSkewSec) throw refuse(config.name, 'timestamp out of range');
  const plain = open(config, encrypted);
  if (plain === undefined) throw refuse(config.name, 'the push does not decrypt for this corp');
  if (request.method === 'GET') return { response: { body: plain } };

  // A nonce is used once: the same request again is a replay (or WeCom's retry of one we
  // handled) and is dropped; the same nonce with another body is forged.
  const digest = createHash('sha256').update(request.body).digest('hex');
  const nonceKey = `nonce/${timestamp}/${nonce}`;
  if (!(await ctx.state.setIfAbsent(nonceKey, digest, NONCE_TTL_MS))) {
    if ((await ctx.state.get<string>(nonceKey)) !== digest) throw refuse(config.name, 'replayed nonce');
    ctx.logger.info('callback replay dropped', { timestamp });
    return { response: { body: '' } };
  }
  const message = parseWechatXml(plain);
  if (!message)
    throw new QunfaError('INVALID_INPUT', 'the decrypted push is not XML', { plugin: config.name });
  return { ...(await readPush(message, ctx)), response: { body: '' } };
}

async function readPush(message: XmlObject, ctx: CallbackContext): Promise<Omit<CallbackResult, 'response'>> {
  const at = new Date(Number(text(message, 'CreateTime')) * 1000);
  if (Number.isNaN(at.getTime())) return {};
  if (text(message, 'MsgType') !== 'event') {
    const inbound = inboundOf(message, at);
    return inbound ? { inbound: [inbound] } : {};
  }
  const event = text(message, 'Event');
  if (event === 'change_external_contact') {
    const change = await recordContactChange(message, ctx, at);
    return change ? { reach: [change] } : {};
  }
  if (event === 'change_external_chat') await recordChatChange(message, ctx.state);
  return {};
}

/**
 * `change_external_contact`: a member added a customer (fully or half, 外部联系人免验证添加), or
 * deleted them (`del_external_contact`), or the customer deleted the member (`del_follow_user`):
 * that customer is not sent to through that member again.
 */
async function recordContactChange(
  message: XmlObject,
  ctx: CallbackContext,
  at: Date,
): Promise<ReachChange | undefined> {
  const userid = text(message, 'UserID');
  const external = text(message, 'ExternalUserID');
  if (userid === '' || external === '') return undefined;
  const relations = stateRelations(ctx.state);
  const kind = text(message, 'ChangeType');
  let change: ReachChange['change'] | undefined;
  if (kind === 'add_external_contact' || kind === 'add_half_external_contact') {
    await relations.upsert(external, {
      userid,
      addedAt: Number(text(message, 'CreateTime')) || 0,
      seenAt: ctx.now().getTime(),
    });
    change = 'added';
  } else if (kind === 'del_external_contact') {
    await relations.remove(external, userid, 'by_staff');
    change = 'removed_by_staff';
  } else if (kind === 'del_follow_user') {
    await relations.remove(external, userid, 'by_customer');
    change = 'removed_by_customer';
  }
  ctx.logger.info('external contact changed', { change: kind });
  return (
    change && { identity: { kind: 'wecom_external_userid', value: external }, account: userid, change, at }
  );
}
