export { FakeClock } from '../memory/clock.js';
export type { ChannelConformanceOptions } from './channel-conformance.js';
export { describeChannelConformance } from './channel-conformance.js';
export type {
  ChannelCallbackProbe,
  ChannelProviderProbe,
  SentForReceipt,
} from './channel-conformance-probe.js';
export { testChannelContext } from './channel-context.js';
export type { TestEngine, TestEngineOptions } from './engine-harness.js';
export { createTestEngine } from './engine-harness.js';
export { makeCampaign, makeContact } from './fixtures.js';
export * from './port-contracts.js';
export { describeStoreContract } from './store-contract.js';
export type { StoreHarness } from './store-harness.js';
