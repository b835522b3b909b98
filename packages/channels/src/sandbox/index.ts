export type { SandboxChannel } from './channel.js';
export { sandbox } from './channel.js';
export type { DelayRange, SandboxReceipt } from './engagement.js';
export type { AcceptedMessage, SandboxProvider, SendCall } from './ledger.js';
export type { EngagementOptions, FailureRates, SandboxOptions } from './options.js';
export { demoEngagement, demoFailureRates } from './options.js';
