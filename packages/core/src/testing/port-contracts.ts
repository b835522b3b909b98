export { describeEventBusContract } from './event-bus-contract.js';
export { describePluginStateContract } from './plugin-state-contract.js';
export type { PortHarness } from './port-harness.js';
export { eventually } from './port-harness.js';
export { describeQueueContract } from './queue-contract.js';
export { describeRateLimiterContract } from './rate-limiter-contract.js';
