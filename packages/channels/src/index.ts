export type { EmailSmtpOptions, ParsedBounce } from './email-smtp/index.js';
export { addressEmail, bounceEvents, classifySmtpReply, emailSmtp, parseBounce } from './email-smtp/index.js';
export type {
  AcceptedMessage,
  DelayRange,
  EngagementOptions,
  FailureRates,
  SandboxChannel,
  SandboxOptions,
  SandboxProvider,
  SandboxReceipt,
  SendCall,
} from './sandbox/index.js';
export { demoEngagement, demoFailureRates, sandbox } from './sandbox/index.js';
export type { SmsAliyunConfig, SmsAliyunOptions } from './sms-aliyun/index.js';
export { smsAliyun } from './sms-aliyun/index.js';
export type { SmsTencentConfig, SmsTencentOptions } from './sms-tencent/index.js';
export { smsTencent } from './sms-tencent/index.js';
export type {
  OaAccountType,
  OaFollower,
  OaJobTotals,
  OaTag,
  WechatOaChannel,
  WechatOaConfig,
  WechatOaOptions,
} from './wechat-oa/index.js';
export { wechatOa } from './wechat-oa/index.js';
export type {
  AccountPolicy,
  AccountPolicyPatch,
  AccountView,
  LoginEvent,
  PuppetFactory,
  PuppetLike,
  WechatPersonalChannel,
  WechatPersonalOptions,
} from './wechat-personal/index.js';
export { puppetFromModule, wechatPersonal } from './wechat-personal/index.js';
export type {
  CustomerCap,
  CustomerTask,
  GroupHealth,
  GroupReach,
  SyncedCustomer,
  SyncedGroup,
  SyncProgress,
  WecomAppOptions,
  WecomChannel,
  WecomConfig,
  WecomOptions,
} from './wecom/index.js';
export { capPeriod, groupAddress, stateRelations, WecomApiError, wecom } from './wecom/index.js';
