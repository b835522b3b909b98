import type { ChannelPlugin } from '@qunfa/core';
import { smsChannelLimits } from '../sms/account.js';
import { addressPhone } from '../sms/phone.js';
import { handleAliyunCallback } from './callback.js';
import { SEND_SMS_MAX } from './chunks.js';
import { createAliyunSmsClient } from './client.js';
import { parseSmsAliyunOptions, type SmsAliyunOptions } from './options.js';
import { queryAliyunStatus } from './query-status.js';
import { sendAliyunBatch } from './send.js';

/**
 * `channel:sms-aliyun`: Aliyun SMS (dysmsapi 2017-05-25) through the official SDK — `SendSms`
 * for one set of template parameters (1,000 numbers a call), `SendBatchSms` for personalised
 * ones (100 a call), `QuerySendDetails` to reconcile, SmsReport receipts and SmsUp replies by
 * HTTP push. Content is a `template`: its subject the template code, its lines the parameters.
 */
export function smsAliyun(options: SmsAliyunOptions): ChannelPlugin {
  const config = parseSmsAliyunOptions(options);
  const client = createAliyunSmsClient(config);
  const limits = smsChannelLimits(config, SEND_SMS_MAX);
  return {
    kind: 'channel',
    name: config.name,
    limits,
    identityKinds: ['phone'],
    accounts: [],
    address: addressPhone,
    send: (batch, ctx) => sendAliyunBatch(config, client, batch, ctx),
    queryStatus: (batch, ctx) => queryAliyunStatus(config, client, batch, ctx),
    callback: (request, ctx) => handleAliyunCallback(config, request, ctx),
  };
}
