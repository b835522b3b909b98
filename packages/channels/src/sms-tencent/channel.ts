import type { ChannelPlugin } from '@qunfa/core';
import { smsChannelLimits } from '../sms/account.js';
import { addressPhone } from '../sms/phone.js';
import { handleTencentCallback } from './callback.js';
import { SEND_SMS_MAX } from './chunks.js';
import { createTencentSmsClient } from './client.js';
import { parseSmsTencentOptions, type SmsTencentOptions } from './options.js';
import { pullTencentReceipts, pullTencentReplies, queryTencentStatus } from './pull.js';
import { sendTencentBatch } from './send.js';

/**
 * `channel:sms-tencent`: Tencent Cloud SMS (2021-01-11) through the official SDK — SendSms (200
 * numbers a call, a Code and SerialNo per number), receipts by the status callback and
 * PullSmsSendStatus, replies by the reply callback and PullSmsReplyStatus. Content is a `template`:
 * its subject the template id, its lines the parameters in order.
 */
export function smsTencent(options: SmsTencentOptions): ChannelPlugin {
  const config = parseSmsTencentOptions(options);
  const client = createTencentSmsClient(config);
  const limits = smsChannelLimits(config, SEND_SMS_MAX);
  return {
    kind: 'channel',
    name: config.name,
    limits,
    identityKinds: ['phone'],
    accounts: [],
    address: addressPhone,
    send: (batch, ctx) => sendTencentBatch(config, client, batch, ctx),
    queryStatus: (batch, ctx) => queryTencentStatus(config, client, batch, ctx),
    pollReceipts: (ctx) => pullTencentReceipts(config, client, ctx),
    pollInbound: (ctx) => pullTencentReplies(config, client, ctx),
    callback: (request, ctx) => handleTencentCallback(config, request, ctx),
  };
}
