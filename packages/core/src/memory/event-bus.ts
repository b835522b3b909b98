import type { EventBus, EventMap, Topic } from '../ports/event-bus.js';

type Subscriber = { push(payload: unknown): void; end(): void };

/** Publish/subscribe within one process. */
export class MemoryEventBus implements EventBus {
  private subscribers = new Map<string, Set<Subscriber>>();

  async publish<T extends Topic>(topic: T, key: string, payload: EventMap[T]): Promise<void> {
    // A copy, as a bus shared across processes would deliver: no subscriber sees another's mutations.
    for (const subscriber of this.subscribers.get(`${topic}:${key}`) ?? []) {
      subscriber.push(structuredClone(payload));
    }
  }

  subscribe<T extends Topic>(topic: T, key: string, signal?: AbortSignal): AsyncIterable<EventMap[T]> {
    const id = `${topic}:${key}`;
    const buffer: EventMap[T][] = [];
    let done = false;
    let wake: (() => void) | undefined;
    const subscriber: Subscriber = {
      push: (payload) => {
        buffer.push(payload as EventMap[T]);
        wake?.();
      },
      end: () => {
        done = true;
        this.subscribers.get(id)?.delete(subscriber);
        signal?.removeEventListener('abort', subscriber.end);
        wake?.();
      },
    };
    const set = this.subscribers.get(id) ?? new Set();
    set.add(subscriber);
    this.subscribers.set(id, set);
    if (signal?.aborted) subscriber.end();
    else signal?.addEventListener('abort', subscriber.end, { once: true });

    const iterator: AsyncIterator<EventMap[T]> = {
      async next() {
        while (buffer.length === 0 && !done) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        const value = buffer.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      async return() {
        subscriber.end();
        return { done: true, value: undefined };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  async close(): Promise<void> {
    for (const set of this.subscribers.values()) for (const s of [...set]) s.end();
    this.subscribers.clear();
  }
}
