export type { WecomChannel } from './channel.js';
export { memberAddress, wecom } from './channel.js';
export { classifyWecomError, WecomApiError, WecomNetworkError } from './errors.js';
export type { CustomerCap, WecomAppOptions, WecomConfig, WecomOptions } from './options.js';
