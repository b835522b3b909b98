export type { OaJobTotals } from './callback.js';
export type { WechatOaChannel } from './channel.js';
export { wechatOa } from './channel.js';
export type { OaFollower, OaTag } from './followers.js';
export type { OaAccountType, WechatOaConfig, WechatOaOptions } from './options.js';
