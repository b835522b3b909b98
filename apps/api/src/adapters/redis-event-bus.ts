import type { EventBus, EventMap, Topic } from '@qunfa/core';
import { closeRedis, connectRedis, type RedisSettings } from './redis-connection.js';

interface Envelope {
  topic: Topic;
  key: string;
  payload: unknown;
}

type Listener = { push(payload: unknown): void; end(): void };

/**
 * An event bus over Redis pub/sub: every API and worker process on the same Redis and
 * prefix sees every event. It subscribes to its one channel before it is returned, so a
 * `subscribe` call is in effect at once, with no window in which an event could slip by.
 * Payloads are JSON: a Date arrives as a string, which is why events carry ISO times.
 */
export async function createRedisEventBus(settings: RedisSettings): Promise<EventBus> {
  const channel = `${settings.prefix}:events`;
  const publisher = connectRedis(settings.url, `${settings.prefix}:bus-pub`);
  const subscriber = connectRedis(settings.url, `${settings.prefix}:bus-sub`);
  const listeners = new Map<string, Set<Listener>>();
  const address = (topic: Topic, key: string) => `${topic}\u0000${key}`;
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    for (const listener of listeners.get(address(envelope.topic, envelope.key)) ?? [])
      listener.push(envelope.payload);
  });
  await subscriber.subscribe(channel);

  return {
    async publish(topic, key, payload) {
      await publisher.publish(channel, JSON.stringify({ topic, key, payload } satisfies Envelope));
    },

    subscribe<T extends Topic>(topic: T, key: string, signal?: AbortSignal): AsyncIterable<EventMap[T]> {
      const id = address(topic, key);
      const buffer: EventMap[T][] = [];
      let done = false;
      let wake: (() => void) | undefined;
      const listener: Listener = {
        push(payload) {
          buffer.push(payload as EventMap[T]);
          wake?.();
        },
        end() {
          done = true;
          listeners.get(id)?.delete(listener);
          if (listeners.get(id)?.size === 0) listeners.delete(id);
          signal?.removeEventListener('abort', listener.end);
          wake?.();
        },
      };
      if (!listeners.has(id)) listeners.set(id, new Set());
      listeners.get(id)!.add(listener);
      if (signal?.aborted) listener.end();
      else signal?.addEventListener('abort', listener.end, { once: true });
      const iterator: AsyncIterator<EventMap[T]> = {
        async next() {
          while (buffer.length === 0 && !done) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
          const value = buffer.shift();
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
        async return() {
          listener.end();
          return { done: true, value: undefined };
        },
      };
      return { [Symbol.asyncIterator]: () => iterator };
    },

    async close() {
      for (const set of [...listeners.values()]) for (const l of [...set]) l.end();
      await Promise.all([closeRedis(subscriber), closeRedis(publisher)]);
    },
  };
}
