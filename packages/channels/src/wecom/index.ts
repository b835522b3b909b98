export type { WecomChannel } from './channel.js';
export { customerAddress, memberAddress, wecom } from './channel.js';
export { classifyWecomError, WecomApiError, WecomNetworkError } from './errors.js';
export { groupHealth, readGroup } from './groups.js';
export type { CustomerCap, WecomAppOptions, WecomConfig, WecomOptions } from './options.js';
export type { FollowRelation } from './relations.js';
export { stateRelations } from './relations.js';
export type { SyncedCustomer, SyncProgress } from './sync.js';
export type { CustomerTask } from './tasks.js';
