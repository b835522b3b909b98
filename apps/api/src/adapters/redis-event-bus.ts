import type { EventBus, EventMap, Topic } from '@qunfa/core';
import { closeRedis, connectRedis, type RedisSettings, whenReady } from './redis-connection.js';

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
 *
 * Events are a nudge, not the truth: while Redis is unreachable an event is dropped after
 * `unavailableAfterMs` instead of holding up the command that published it (a start, a
 * settlement), and the subscriber resubscribes on its own when Redis is back.
 */
export async function createRedisEventBus(
  settings: RedisSettings & {
    /** How long a publish waits for an unreachable Redis before the event is dropped, in ms. Default 1000. */
    unavailableAfterMs?: number;
    onError?: (error: Error) => void;
  },
): Promise<EventBus> {
  const channel = `${settings.prefix}:events`;
  const unavailableAfterMs = settings.unavailableAfterMs ?? 1000;
  // Auto-pipelined: the events one commit publishes together (a reply group's messages and
  // triage items) go to Redis in one write instead of one each.
  const publisher = connectRedis(settings.url, `${settings.prefix}:bus-pub`, settings.onError, {
    enableAutoPipelining: true,
  });
  const subscriber = connectRedis(settings.url, `${settings.prefix}:bus-sub`, settings.onError);
  const listeners = new Map<string, Set<Listener>>();
  const address = (topic: Topic, key: string) => `${topic}\u0000${key}`;
  subscriber.on('message', (from: string, raw: string) => {
    // Every process hears every event: one with no subscription at all has nothing to parse.
    if (from !== channel || listeners.size === 0) return;
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
      if (!(await whenReady(publisher, unavailableAfterMs))) return;
      let timer: NodeJS.Timeout | undefined;
      const sending = publisher.publish(channel, JSON.stringify({ topic, key, payload } satisfies Envelope));
      sending.catch(() => {});
      await Promise.race([
        sending,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, unavailableAfterMs);
        }),
      ]).finally(() => clearTimeout(timer));
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
