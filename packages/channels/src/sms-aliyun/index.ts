export { smsAliyun } from './channel.js';
export type { SmsAliyunConfig, SmsAliyunOptions } from './options.js';
