export type { SandboxChannel } from './channel.js';
export { sandbox } from './channel.js';
export type { AcceptedMessage, SandboxProvider, SendCall } from './ledger.js';
export type { FailureRates, SandboxOptions } from './options.js';
export { demoFailureRates } from './options.js';
