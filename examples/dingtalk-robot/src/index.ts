export { dingtalkRobot, mobileOf } from './channel.js';
export type { DingtalkRobotOptions } from './options.js';
export { DINGTALK_WEBHOOK } from './options.js';
export { robotSignature, signedUrl } from './sign.js';
