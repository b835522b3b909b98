import type { Actor, Campaign } from '../domain/campaign.js';
import type { Contact, SuppressionReason } from '../domain/contact.js';
import type { Engine, EngineDeps } from '../engine/deps.js';
import { createEngine } from '../engine/engine.js';
import { FakeClock } from '../memory/clock.js';
import { MemoryEventBus } from '../memory/event-bus.js';
import { MemoryQueue } from '../memory/queue.js';
import { MemoryRateLimiter } from '../memory/rate-limiter.js';
import { MemoryStore } from '../memory/store.js';
import type { QunfaPlugin } from '../plugins/plugin.js';
import type { EventMap, ProgressEvent, Topic } from '../ports/event-bus.js';
import { createRegistry, type Registry } from '../registry/registry.js';
import { makeCampaign } from './fixtures.js';

/** An event bus that also keeps every progress event, for assertions. */
class RecordingBus extends MemoryEventBus {
  readonly progress: ProgressEvent[] = [];
  override async publish<T extends Topic>(topic: T, key: string, payload: EventMap[T]): Promise<void> {
    if (topic === 'campaign.progress') this.progress.push(structuredClone(payload as ProgressEvent));
    await super.publish(topic, key, payload);
  }
}

export interface TestEngineOptions {
  plugins: QunfaPlugin[];
  /** Engine settings other than the ports. */
  engine?: Partial<Omit<EngineDeps, 'store' | 'queue' | 'bus' | 'limiter' | 'clock' | 'registry'>>;
  /** Where the fake clock starts. */
  start?: Date | string;
}

export interface TestEngine {
  engine: Engine;
  store: MemoryStore;
  queue: MemoryQueue;
  /** Keeps every progress event published, in `bus.progress`. */
  bus: MemoryEventBus & { readonly progress: ProgressEvent[] };
  limiter: MemoryRateLimiter;
  clock: FakeClock;
  registry: Registry;
  actor: Actor;
  addContacts(contacts: (Contact & { suppressions?: SuppressionReason[] })[]): Promise<void>;
  /** Adds a draft campaign (fixtures' defaults) and returns it. */
  addCampaign(overrides: Partial<Campaign> & { id: string }): Promise<Campaign>;
  /**
   * Processes due jobs one at a time until none is left; with `advance`, moves the fake clock to
   * the next waiting job and goes on, up to `maxSteps` rounds.
   */
  drain(options?: { advance?: boolean; maxSteps?: number }): Promise<void>;
}

/** The engine over the in-memory ports and a fake clock: for running plugins through the kernel in tests. */
export function createTestEngine(options: TestEngineOptions): TestEngine {
  const clock = new FakeClock(options.start);
  const store = new MemoryStore();
  const queue = new MemoryQueue({ clock });
  const bus = new RecordingBus();
  const limiter = new MemoryRateLimiter();
  const registry = createRegistry(options.plugins);
  const engine = createEngine({
    store,
    queue,
    bus,
    limiter,
    clock,
    registry,
    workerId: 'worker-1',
    ...options.engine,
  });
  const harness: TestEngine = {
    engine,
    store,
    queue,
    bus,
    limiter,
    clock,
    registry,
    actor: { kind: 'user', id: '1' },
    async addContacts(contacts) {
      for (const { suppressions, ...contact } of contacts) await store.addContact(contact, suppressions);
    },
    async addCampaign(overrides) {
      const campaign = makeCampaign(overrides);
      await store.addCampaign(campaign);
      return campaign;
    },
    async drain({ advance = false, maxSteps = 100 } = {}) {
      for (let step = 0; step < maxSteps; step++) {
        await engine.tick();
        const jobs = queue.takeDue();
        if (jobs.length > 0) {
          for (const job of jobs) await engine.processBatch(job);
          continue;
        }
        const next = Math.min(...queue.jobs().map((j) => j.dueAt.getTime()));
        if (!advance || !Number.isFinite(next)) return;
        await clock.advance(Math.max(0, next - clock.now().getTime()));
      }
    },
  };
  return harness;
}
