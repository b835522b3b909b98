import {
  describeEventBusContract,
  describePluginStateContract,
  describeQueueContract,
  describeRateLimiterContract,
} from '../testing/port-contracts.js';
import { MemoryEventBus } from './event-bus.js';
import { MemoryPluginState } from './plugin-state.js';
import { MemoryQueue } from './queue.js';
import { MemoryRateLimiter } from './rate-limiter.js';

/** One in-process object is every handle: "another connection" is the same instance. */
function shared<T extends object>(make: () => T) {
  return async () => {
    const instance = make();
    const close = async () => {
      if ('close' in instance && typeof instance.close === 'function') await instance.close();
    };
    return { open: async () => instance, close };
  };
}

describeQueueContract(
  'MemoryQueue',
  shared(() => new MemoryQueue({ retryDelayMs: 100 })),
);
describeRateLimiterContract(
  'MemoryRateLimiter',
  shared(() => new MemoryRateLimiter()),
);
describeEventBusContract(
  'MemoryEventBus',
  shared(() => new MemoryEventBus()),
);
describePluginStateContract(
  'MemoryPluginState',
  shared(() => new MemoryPluginState()),
);
